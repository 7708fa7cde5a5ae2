/**
 * Loads a pipeline from YAML text in the original WriteIt dialect (and its
 * extensions), validates everything at once, and returns the normalized
 * {@linkcode Pipeline} or every problem found, each located at its file, line
 * and column with a dotted path and a suggestion where there is one. Unknown
 * keys are warnings; anything that would fail at run time is an error. The
 * defaults the loader fills in are listed in `pipeline_schema.ts`.
 *
 * @example
 * ```ts
 * const { value, issues } = loadPipeline(text, { file: "tech-article.yaml" });
 * if (!value) for (const issue of issues) console.error(formatIssue(issue));
 * ```
 */
import { createHash } from "node:crypto";
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import { ancestorsIn, findCycles } from "./pipeline_graph.ts";
import { readInputs, validName } from "./pipeline_input_specs.ts";
import {
  type InputSpec,
  type LoadResult,
  MAX_RESPONSE_COUNT,
  NAME_PATTERN,
  type Pipeline,
  PipelineSchema,
  PRIMER_ID_PATTERN,
  STEP_TYPES,
  type StepSpec,
  type StepValidation,
} from "./pipeline_schema.ts";
import { checkTemplate, type TemplateScope } from "./pipeline_template_check.ts";
import { renderTemplate } from "./template.ts";
import { IssueList, yamlSyntaxIssues } from "./yaml_issues.ts";
import { YamlSource } from "./yaml_locations.ts";
import { describeValue, isMapping, type Mapping, ValueChecks } from "./yaml_value_checks.ts";

export { validateInputs } from "./pipeline_inputs.ts";
export type { LoadResult };

/** Where the text came from. */
export interface LoadOptions {
  /** File name used in issues and to derive the id. */
  file?: string;
  /** The pipeline's id; default: the file name without its extension. */
  id?: string;
}

const TOP_LEVEL_KEYS = ["metadata", "defaults", "inputs", "steps"];
const METADATA_KEYS = ["name", "description", "version", "author", "tags"];
const STEP_KEYS = [
  "name",
  "description",
  "type",
  "prompt_template",
  "system_prompt",
  "model_preference",
  "models",
  "response_count",
  "temperature",
  "max_tokens",
  "depends_on",
  "validation",
  "selection_prompt",
  "ui",
  "allow_feedback",
  "auto_approve",
  "allow_truncated",
  "style",
];
const VALIDATION_KEYS = ["min_response_length", "max_response_length", "required_elements"];
const SEMVER_PATTERN = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The file name without folders and without a `.yaml`/`.yml` extension. */
export function fileStem(file: string): string {
  const base = file.split(/[\\/]/).at(-1) ?? file;
  return base.replace(/\.ya?ml$/i, "");
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** Loads, validates and normalizes a pipeline. Never throws on bad input: problems come back as issues. */
export function loadPipeline(text: string, options: LoadOptions = {}): LoadResult<Pipeline> {
  const source = new YamlSource(text);
  const issues = new IssueList(source, options.file);
  if (text.trim() === "") {
    issues.push({
      severity: "error",
      message: "The pipeline is empty: write metadata, inputs and steps",
      path: "",
      line: 1,
      column: 1,
    });
    return { issues: issues.sorted() };
  }
  const { fatal } = yamlSyntaxIssues(source, issues);
  if (fatal) return { issues: issues.sorted() };
  let raw: unknown;
  try {
    raw = source.document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Aliases that expand without bound (a "billion laughs" file) are refused, not expanded.
    issues.error(
      [],
      `The pipeline cannot be read: ${(error as Error).message}: use fewer YAML aliases`,
    );
    return { issues: issues.sorted() };
  }
  const checks = new ValueChecks(issues);
  if (!isMapping(raw)) {
    issues.error(
      [],
      `A pipeline must be a mapping with metadata, inputs and steps, not ${describeValue(raw)}`,
    );
    return { issues: issues.sorted() };
  }
  checks.unknownKeys([], raw, TOP_LEVEL_KEYS, { where: "at the top level" });

  const metadata = readMetadata(checks, raw.metadata);
  const defaults = readDefaults(checks, raw.defaults);
  const inputs = readInputs(checks, raw.inputs);
  const defaultPreference =
    readModels(source, checks, ["defaults", "model"], defaults.model, defaults) ?? [];
  const defaultModels = Array.isArray(defaults.models)
    ? readModels(source, checks, ["defaults", "models"], defaults.models, defaults, {
      list: true,
    }) ?? []
    : [];
  const steps = readSteps(source, checks, raw.steps, {
    defaults,
    inputs,
    defaultPreference,
    defaultModels,
  });

  const id = options.id ?? (options.file ? fileStem(options.file) : undefined) ??
    (slug(metadata.name ?? "") || "pipeline");
  if (issues.hasErrors()) return { issues: issues.sorted() };

  const candidate = {
    id,
    metadata: { ...metadata, name: metadata.name ?? id },
    defaults,
    inputs,
    steps,
    style: typeof defaults.style === "string" ? defaults.style : undefined,
    hash: createHash("sha256").update(text).digest("hex"),
    source: options.file === undefined ? {} : { file: options.file },
  };
  const parsed = PipelineSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const problem of parsed.error.issues) {
      issues.error([], `Internal check failed at ${problem.path.join(".")}: ${problem.message}`);
    }
    return { issues: issues.sorted() };
  }
  return { value: parsed.data, issues: issues.sorted() };
}

interface RawMetadata {
  name?: string;
  description: string;
  version?: string;
  author?: string;
  tags: string[];
  extras: Record<string, unknown>;
}

function readMetadata(checks: ValueChecks, value: unknown): RawMetadata {
  const result: RawMetadata = { description: "", tags: [], extras: {} };
  const metadata = checks.mapping(["metadata"], value, '"metadata"');
  if (!metadata) return result;
  result.name = checks.string(["metadata", "name"], metadata.name);
  result.description = checks.string(["metadata", "description"], metadata.description) ?? "";
  result.author = checks.string(["metadata", "author"], metadata.author);
  result.tags = checks.stringList(["metadata", "tags"], metadata.tags) ?? [];
  const version = metadata.version;
  if (typeof version === "number") {
    checks.issues.error(
      ["metadata", "version"],
      `"version" must be text such as "1.0.0": put it in quotes`,
    );
  } else {
    result.version = checks.string(["metadata", "version"], version);
    if (result.version !== undefined && !SEMVER_PATTERN.test(result.version)) {
      checks.issues.warning(
        ["metadata", "version"],
        `Version "${result.version}" is not a semantic version: use MAJOR.MINOR.PATCH, such as "1.0.0"`,
      );
    }
  }
  for (const [key, extra] of Object.entries(metadata)) {
    if (!METADATA_KEYS.includes(key)) result.extras[key] = extra;
  }
  return result;
}

function readDefaults(checks: ValueChecks, value: unknown): Mapping {
  const defaults = checks.mapping(["defaults"], value, '"defaults"');
  if (!defaults) return {};
  const at = (key: string) => ["defaults", key];
  if (
    defaults.models !== undefined && !isMapping(defaults.models) && !Array.isArray(defaults.models)
  ) {
    checks.issues.error(
      at("models"),
      `"models" must be a list of models to ask side by side, or a mapping of named models, not ${
        describeValue(defaults.models)
      }`,
    );
  }
  checks.number(at("temperature"), defaults.temperature, { min: 0, max: 2 });
  checks.integer(at("max_tokens"), defaults.max_tokens, { min: 1 });
  checks.integer(at("responses_per_step"), defaults.responses_per_step, {
    min: 1,
    max: MAX_RESPONSE_COUNT,
  });
  checks.boolean(at("allow_feedback"), defaults.allow_feedback);
  checks.boolean(at("auto_approve"), defaults.auto_approve);
  checks.boolean(at("allow_truncated"), defaults.allow_truncated);
  const style = checks.string(at("style"), defaults.style);
  if (style !== undefined && !PRIMER_ID_PATTERN.test(style)) {
    checks.issues.error(
      at("style"),
      `Style "${style}" is not a valid primer id: use lowercase letters, digits and hyphens, as in "technical-expert"`,
    );
  }
  return defaults;
}

interface StepContext {
  defaults: Mapping;
  inputs: InputSpec[];
  /** `defaults.model`, rendered. */
  defaultPreference: string[];
  /** `defaults.models` when it is a list, rendered. */
  defaultModels: string[];
}

function readSteps(
  source: YamlSource,
  checks: ValueChecks,
  value: unknown,
  context: StepContext,
): StepSpec[] {
  const issues = checks.issues;
  if (
    value === undefined || value === null || (isMapping(value) && Object.keys(value).length === 0)
  ) {
    issues.error(
      value === undefined ? [] : ["steps"],
      `The pipeline has no steps: add at least one under "steps"`,
      {
        at: "key",
      },
    );
    return [];
  }
  const steps = checks.mapping(["steps"], value, '"steps"');
  if (!steps) return [];
  const ids = Object.keys(steps);
  const specs = new Map<string, Mapping>();
  const dependencies = new Map<string, string[]>();
  ids.forEach((id, index) => {
    const spec = checks.mapping(["steps", id], steps[id], `Step "${id}"`);
    if (spec) specs.set(id, spec);
    dependencies.set(
      id,
      readDependsOn(checks, id, spec?.depends_on, index === 0 ? undefined : ids[index - 1], ids),
    );
  });
  for (const cycle of findCycles(dependencies)) {
    const owner = cycle[1];
    issues.error(
      ["steps", owner, "depends_on"],
      `Steps form a cycle: ${cycle.join(" → ")}: remove one of these depends_on entries`,
    );
  }
  const result: StepSpec[] = [];
  for (const id of ids) {
    const spec = specs.get(id);
    if (!spec) continue;
    const step = readStep(source, checks, id, spec, { ...context, ids, dependencies });
    if (step) result.push(step);
  }
  return result;
}

function readDependsOn(
  checks: ValueChecks,
  id: string,
  value: unknown,
  previous: string | undefined,
  ids: string[],
): string[] {
  const path = ["steps", id, "depends_on"];
  if (value === undefined) return previous === undefined ? [] : [previous];
  const list = checks.stringList(path, value, { single: true });
  if (!list) return [];
  const known: string[] = [];
  list.forEach((dependency, index) => {
    const itemPath = Array.isArray(value) ? [...path, index] : path;
    if (dependency === id) {
      checks.issues.error(
        itemPath,
        `Step "${id}" depends on itself: remove "${id}" from its depends_on`,
      );
    } else if (!ids.includes(dependency)) {
      const suggestion = didYouMean(dependency, ids.filter((other) => other !== id));
      checks.issues.error(
        itemPath,
        `Step "${id}" depends on unknown step "${dependency}"${didYouMeanSuffix(suggestion)}`,
        { suggestion, code: "unknown_step" },
      );
    } else if (!known.includes(dependency)) {
      known.push(dependency);
    }
  });
  return known;
}

function readStep(
  source: YamlSource,
  checks: ValueChecks,
  id: string,
  spec: Mapping,
  context: StepContext & { ids: string[]; dependencies: Map<string, string[]> },
): StepSpec | undefined {
  const issues = checks.issues;
  const path = ["steps", id];
  const at = (key: string) => [...path, key];
  const defaults = context.defaults;
  if (!NAME_PATTERN.test(id)) {
    const suggestion = validName(id);
    issues.error(
      path,
      `Step id "${id}" is invalid: use letters, digits and underscores, starting with a letter${
        suggestion ? ` (for example "${suggestion}")` : ""
      }`,
      { at: "key", suggestion },
    );
  }
  checks.unknownKeys(path, spec, STEP_KEYS, { where: `in step "${id}"` });
  let type: StepSpec["type"] = "llm_generation";
  if (spec.type !== undefined) {
    if (typeof spec.type === "string" && (STEP_TYPES as readonly string[]).includes(spec.type)) {
      type = spec.type as StepSpec["type"];
    } else {
      const suggestion = typeof spec.type === "string"
        ? didYouMean(spec.type, STEP_TYPES)
        : undefined;
      issues.error(
        at("type"),
        `Step type ${describeValue(spec.type)} is not one of ${STEP_TYPES.join(", ")}${
          didYouMeanSuffix(suggestion)
        }`,
        { suggestion },
      );
    }
  }
  const promptTemplate = checks.string(at("prompt_template"), spec.prompt_template);
  if (type === "llm_generation") {
    if (spec.prompt_template === undefined || spec.prompt_template === null) {
      const typo = Object.keys(spec).find((key) =>
        !STEP_KEYS.includes(key) && didYouMean(key, STEP_KEYS) === "prompt_template"
      );
      issues.error(
        spec.prompt_template === undefined ? path : at("prompt_template"),
        `Step "${id}" has no prompt_template: add one, or set "type: user_input" for a step a person writes${
          typo ? ` (is "${typo}" a misspelling?)` : ""
        }`,
        { at: "key" },
      );
    } else if (promptTemplate !== undefined && promptTemplate.trim() === "") {
      issues.error(
        at("prompt_template"),
        `The prompt_template of step "${id}" is empty: write the prompt`,
      );
    }
  }
  const systemPrompt = checks.string(at("system_prompt"), spec.system_prompt);
  const selectionPrompt = checks.string(at("selection_prompt"), spec.selection_prompt);

  const ancestors = ancestorsIn(context.dependencies, id);
  const scope: TemplateScope = {
    inputNames: context.inputs.map((input) => input.name),
    defaults,
    stepIds: context.ids,
    currentStep: id,
    readableSteps: ancestors,
  };
  const templates: Array<[string, string | undefined, ReadonlySet<string>]> = [
    ["prompt_template", promptTemplate, ancestors],
    ["system_prompt", systemPrompt, ancestors],
    ["selection_prompt", selectionPrompt, new Set([...ancestors, id])],
  ];
  for (const [key, template, readable] of templates) {
    if (template !== undefined) {
      checkTemplate(source, issues, at(key), {
        template,
        scope: { ...scope, readableSteps: readable },
      });
    }
  }

  const modelPreference =
    readModels(source, checks, at("model_preference"), spec.model_preference, defaults) ??
      context.defaultPreference;
  const models = readModels(source, checks, at("models"), spec.models, defaults, { list: true }) ??
    context.defaultModels;

  const responseCount = checks.integer(at("response_count"), spec.response_count, {
    min: 1,
    max: MAX_RESPONSE_COUNT,
  }) ??
    (typeof defaults.responses_per_step === "number" ? defaults.responses_per_step : 1);
  const temperature = checks.number(at("temperature"), spec.temperature, { min: 0, max: 2 }) ??
    (typeof defaults.temperature === "number" ? defaults.temperature : undefined);
  const maxTokens = checks.integer(at("max_tokens"), spec.max_tokens, { min: 1 }) ??
    (typeof defaults.max_tokens === "number" ? defaults.max_tokens : undefined);
  const style = checks.string(at("style"), spec.style) ??
    (typeof defaults.style === "string" ? defaults.style : undefined);
  if (typeof spec.style === "string" && !PRIMER_ID_PATTERN.test(spec.style)) {
    issues.error(
      at("style"),
      `Style "${spec.style}" is not a valid primer id: use lowercase letters, digits and hyphens, as in "technical-expert"`,
    );
  }
  const ui = checks.mapping(at("ui"), spec.ui, '"ui"') ?? {};
  const allowTruncated = checks.boolean(at("allow_truncated"), spec.allow_truncated) ??
    (typeof defaults.allow_truncated === "boolean" ? defaults.allow_truncated : undefined);
  return {
    id,
    name: checks.string(at("name"), spec.name) ?? id,
    description: checks.string(at("description"), spec.description) ?? "",
    type,
    promptTemplate: promptTemplate ?? "",
    systemPrompt,
    modelPreference,
    models,
    responseCount,
    temperature,
    maxTokens,
    ...(allowTruncated === undefined ? {} : { allowTruncated }),
    dependsOn: context.dependencies.get(id) ?? [],
    validation: readValidation(checks, id, spec.validation),
    selectionPrompt,
    ui,
    allowFeedback: checks.boolean(at("allow_feedback"), spec.allow_feedback) ??
      (typeof defaults.allow_feedback === "boolean" ? defaults.allow_feedback : true),
    autoApprove: checks.boolean(at("auto_approve"), spec.auto_approve) ??
      (typeof defaults.auto_approve === "boolean" ? defaults.auto_approve : false),
    style,
  };
}

/** Model names: text or a list, templated values (`{{ defaults.models.primary }}`) rendered against defaults. */
function readModels(
  source: YamlSource,
  checks: ValueChecks,
  path: Array<string | number>,
  value: unknown,
  defaults: Mapping,
  options: { list?: boolean } = {},
): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = checks.stringList(path, value, { single: !options.list });
  if (!list) return undefined;
  const key = String(path.at(-1));
  if (list.length === 0) {
    checks.issues.error(
      path,
      `"${key}" is an empty list: name at least one model, or remove "${key}" to use the default model`,
    );
    return [];
  }
  const scope: TemplateScope = {
    inputNames: [],
    defaults,
    stepIds: [],
    readableSteps: new Set(),
    roots: ["defaults"],
    what: "a model name",
  };
  const result: string[] = [];
  list.forEach((model, index) => {
    const itemPath = typeof value === "string" ? path : [...path, index];
    if (!model.includes("{{") && !model.includes("{%")) {
      if (model.trim() === "") checks.issues.error(itemPath, `Model names cannot be empty`);
      else result.push(model.trim());
      return;
    }
    if (!checkTemplate(source, checks.issues, itemPath, { template: model, scope })) return;
    const rendered = renderTemplate(model, {
      inputs: {},
      defaults,
      steps: {},
      style: {},
      run: { id: "", pipeline: "", workspace: "", date: "" },
    }).trim();
    if (rendered === "") {
      checks.issues.error(
        itemPath,
        `Model name "${model}" renders as empty text: give that default a model name`,
      );
    } else {
      result.push(rendered);
    }
  });
  return result;
}

function readValidation(
  checks: ValueChecks,
  id: string,
  value: unknown,
): StepValidation | undefined {
  const path = ["steps", id, "validation"];
  const validation = checks.mapping(path, value, '"validation"');
  if (!validation) return undefined;
  checks.unknownKeys(path, validation, VALIDATION_KEYS, {
    where: `in the validation of step "${id}"`,
    ignored: (key) => key.startsWith("check_"),
  });
  const min = checks.integer([...path, "min_response_length"], validation.min_response_length, {
    min: 0,
  });
  const max = checks.integer([...path, "max_response_length"], validation.max_response_length, {
    min: 1,
  });
  if (min !== undefined && max !== undefined && min > max) {
    checks.issues.error(
      [...path, "min_response_length"],
      `"min_response_length" (${min}) is greater than "max_response_length" (${max}) in step "${id}": swap them`,
    );
  }
  const checksExtra: Record<string, unknown> = {};
  for (const [key, extra] of Object.entries(validation)) {
    if (key.startsWith("check_")) checksExtra[key] = extra;
  }
  return {
    minResponseLength: min,
    maxResponseLength: max,
    requiredElements:
      checks.stringList([...path, "required_elements"], validation.required_elements) ?? [],
    checks: checksExtra,
  };
}
