/**
 * Load-time checks of the variables a pipeline's templates read. Every
 * variable must resolve: `inputs.X` to a declared input, `defaults.a.b` to a
 * path in `defaults`, `steps.X.field` to an earlier step (an ancestor through
 * `depends_on`) and one of its fields, `run.field` to a run field; `style.…`
 * is accepted (the primer is attached at run time; `styleReferenceIssues`
 * checks it once the primers are known). Problems are located at the
 * variable's own line and column inside the YAML file.
 */
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import {
  MAX_RENDERED_CHARACTERS,
  minimumRenderedLength,
  templateFilterNames,
  templateSyntaxIssue,
  templateVariables,
  type TemplateVariableUse,
} from "./template.ts";
import { RUN_TEMPLATE_FIELDS, STEP_TEMPLATE_FIELDS, TEMPLATE_ROOTS } from "./template_context.ts";
import type { IssueCode, ValidationIssue } from "./errors.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import type { IssueList } from "./yaml_issues.ts";
import { dottedPath, type YamlPath, YamlSource } from "./yaml_locations.ts";
import { isMapping } from "./yaml_value_checks.ts";

/** What a template at one place in the pipeline may read. */
export interface TemplateScope {
  inputNames: readonly string[];
  defaults: Record<string, unknown>;
  stepIds: readonly string[];
  /** The step the template belongs to, for messages. */
  currentStep?: string;
  /** Steps whose results this template may read. */
  readableSteps: ReadonlySet<string>;
  /** Roots allowed here; default all of inputs, defaults, steps, style, run. */
  roots?: readonly string[];
  /** What the template is, for messages about restricted roots ("model names"). */
  what?: string;
}

/** Why a variable does not resolve, and a replacement path when there is one. */
export interface VariableProblem {
  message: string;
  suggestion?: string;
}

const TEXT_ACCESSORS = new Set(["size"]);
const LIST_ACCESSORS = new Set(["first", "last", "size"]);

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function fail(path: string, reason: string, suggestion?: string): VariableProblem {
  return {
    message: `Cannot resolve "${path}": ${reason}${didYouMeanSuffix(suggestion)}`,
    suggestion,
  };
}

/** Checks the accessors after a text value (`.size` only). */
function textTail(
  path: string,
  what: string,
  rest: Array<string | number | null>,
): VariableProblem | undefined {
  const [next] = rest;
  if (
    next === undefined ||
    (typeof next === "string" && TEXT_ACCESSORS.has(next) && rest.length === 1)
  ) {
    return undefined;
  }
  return fail(path, `${what} is text and has no field "${String(next ?? "[…]")}"`);
}

/** Why `use` cannot resolve in `scope`, or undefined when it does. */
export function variableProblem(
  use: TemplateVariableUse,
  scope: TemplateScope,
): VariableProblem | undefined {
  const [root, first, ...rest] = use.segments;
  const path = use.path;
  const roots = scope.roots ?? TEMPLATE_ROOTS;
  if (typeof root !== "string" || !(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    const name = String(root);
    const suggestion = scope.inputNames.includes(name)
      ? `inputs.${name}`
      : scope.stepIds.includes(name)
      ? `steps.${name}`
      : didYouMean(name, roots);
    return fail(path, `templates read ${list([...roots])}`, suggestion);
  }
  if (!roots.includes(root)) {
    return fail(path, `${scope.what ?? "this value"} can only read ${list([...roots])}`);
  }
  if (root === "style") return undefined;
  if (first === undefined) {
    const example = root === "inputs"
      ? `inputs.${scope.inputNames[0] ?? "topic"}`
      : root === "steps"
      ? `steps.${scope.stepIds[0] ?? "outline"}`
      : root === "run"
      ? "run.id"
      : undefined;
    if (example === undefined) return undefined;
    return fail(path, `name what to read, as in "${example}"`);
  }
  if (first === null || typeof first === "number") {
    if (root === "defaults" && first === null) return undefined;
    return fail(path, `use a literal name after "${root}", as in "${root}.name"`);
  }
  if (root === "inputs") {
    if (!scope.inputNames.includes(first)) {
      const suggestion = didYouMean(first, scope.inputNames);
      return fail(path, `there is no input "${first}"`, suggestion && `inputs.${suggestion}`);
    }
    return textTail(path, `input "${first}"`, rest);
  }
  if (root === "run") {
    if (!(RUN_TEMPLATE_FIELDS as readonly string[]).includes(first)) {
      const suggestion = didYouMean(first, RUN_TEMPLATE_FIELDS);
      return fail(
        path,
        `run has ${list([...RUN_TEMPLATE_FIELDS])}`,
        suggestion && `run.${suggestion}`,
      );
    }
    return textTail(path, `"run.${first}"`, rest);
  }
  if (root === "steps") return stepProblem(path, first, rest, scope);
  return defaultsProblem(path, first, rest, scope.defaults);
}

function stepProblem(
  path: string,
  stepId: string,
  rest: Array<string | number | null>,
  scope: TemplateScope,
): VariableProblem | undefined {
  if (!scope.stepIds.includes(stepId)) {
    const suggestion = didYouMean(stepId, scope.stepIds);
    return fail(path, `there is no step "${stepId}"`, suggestion && `steps.${suggestion}`);
  }
  // A step may read the feedback given on itself: it reaches the regenerated prompt.
  const ownFeedback = stepId === scope.currentStep &&
    (rest[0] === "user_feedback" || rest[0] === "user_input");
  if (!scope.readableSteps.has(stepId) && !ownFeedback) {
    const current = scope.currentStep ?? "this step";
    const reason = stepId === scope.currentStep
      ? `"${stepId}" is not an earlier step of "${current}": a prompt cannot read its own step's result (only its user_feedback)`
      : `"${stepId}" is not an earlier step of "${current}": a step reads only the steps it depends on, directly or through others (see depends_on)`;
    return { message: `Cannot resolve "${path}": ${reason}` };
  }
  const [field, ...tail] = rest;
  if (field === undefined) return undefined;
  if (field === "size" && tail.length === 0) return undefined;
  if (typeof field !== "string" || !(STEP_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
    const suggestion = typeof field === "string"
      ? didYouMean(field, STEP_TEMPLATE_FIELDS)
      : undefined;
    return fail(
      path,
      `a step has ${list([...STEP_TEMPLATE_FIELDS])}`,
      suggestion && `steps.${stepId}.${suggestion}`,
    );
  }
  if (field !== "responses") return textTail(path, `"steps.${stepId}.${field}"`, tail);
  const [item, ...afterItem] = tail;
  if (item === undefined) return undefined;
  if (item === null || typeof item === "number" || item === "first" || item === "last") {
    return textTail(path, `a response of "${stepId}"`, afterItem);
  }
  if (LIST_ACCESSORS.has(item) && afterItem.length === 0) return undefined;
  return fail(path, `"steps.${stepId}.responses" is a list: use an index, first, last or size`);
}

function defaultsProblem(
  path: string,
  first: string,
  rest: Array<string | number | null>,
  defaults: Record<string, unknown>,
): VariableProblem | undefined {
  let current: unknown = defaults;
  let prefix = "defaults";
  for (const segment of [first, ...rest]) {
    if (segment === null) return undefined;
    if (Array.isArray(current)) {
      if (typeof segment === "number" || LIST_ACCESSORS.has(segment)) {
        current = typeof segment === "number" ? current.at(segment) : undefined;
        if (current === undefined) return undefined;
      } else {
        return fail(path, `"${prefix}" is a list: use an index, first, last or size`);
      }
    } else if (isMapping(current)) {
      const key = String(segment);
      if (Object.hasOwn(current, key)) {
        current = current[key];
      } else if (key === "size") {
        return undefined;
      } else {
        const suggestion = didYouMean(key, Object.keys(current));
        return fail(path, `"${prefix}" has no "${key}"`, suggestion && `${prefix}.${suggestion}`);
      }
    } else {
      if (segment === "size" && typeof current === "string") return undefined;
      return fail(path, `"${prefix}" is a single value and has no field "${String(segment)}"`);
    }
    prefix = typeof segment === "number" ? `${prefix}[${segment}]` : `${prefix}.${segment}`;
  }
  return undefined;
}

/**
 * Checks the template at `path` (syntax, filters, forbidden tags, every
 * variable), recording each problem in `issues` at its position in the file.
 * Returns true when the template has no problem.
 */
export function checkTemplate(
  source: YamlSource,
  issues: IssueList,
  path: YamlPath,
  options: { template: string; scope: TemplateScope },
): boolean {
  const syntax = templateSyntaxIssue(options.template);
  let ok = syntax === undefined;
  if (syntax) {
    const at = source.positionInScalar(path, syntax.line, syntax.column);
    if (syntax.unknownFilter !== undefined) {
      const suggestion = didYouMean(syntax.unknownFilter, templateFilterNames());
      issues.error(
        path,
        `Unknown filter "${syntax.unknownFilter}"${didYouMeanSuffix(suggestion)}`,
        { at, suggestion, code: "unknown_filter" },
      );
    } else if (syntax.forbiddenTag !== undefined) {
      issues.error(path, syntax.message, { at, code: "template_syntax" });
    } else {
      issues.error(path, `Invalid template: ${syntax.message}`, { at, code: "template_syntax" });
      return false;
    }
  }
  for (const use of templateVariables(options.template, { lenient: true })) {
    const problem = variableProblem(use, options.scope);
    if (!problem) continue;
    ok = false;
    issues.error(path, problem.message, {
      at: source.positionInScalar(path, use.line, use.column),
      suggestion: problem.suggestion,
      code: "unknown_variable",
    });
  }
  const least = syntax === undefined ? minimumRenderedLength(options.template) : 0;
  if (least > MAX_RENDERED_CHARACTERS) {
    ok = false;
    issues.error(
      path,
      `This template renders at least ${
        least.toLocaleString("en-US")
      } characters, past the limit of ${
        MAX_RENDERED_CHARACTERS.toLocaleString("en-US")
      } for one prompt: make the ranges of its loops smaller (a loop inside a loop multiplies its text)`,
      { at: source.positionInScalar(path, 1, 1) },
    );
  }
  return ok;
}

/**
 * Checks the `style.…` variables of a loaded pipeline against the primer a
 * step will use (`primers` maps primer id → fields, as loaded). A field the
 * primer lacks renders as empty text, so it is a warning; a primer that is
 * not available is an error. Pass the pipeline's source text to get lines
 * and columns.
 */
export function styleReferenceIssues(
  pipeline: Pipeline,
  primers: ReadonlyMap<string, Record<string, unknown> | undefined>,
  options: { text?: string } = {},
): ValidationIssue[] {
  const source = options.text === undefined ? undefined : new YamlSource(options.text);
  const issues: ValidationIssue[] = [];
  const file = pipeline.source.file;
  const add = (
    severity: ValidationIssue["severity"],
    path: Array<string | number>,
    message: string,
    code: IssueCode,
    position?: { line: number; column: number },
  ) => {
    const issue: ValidationIssue = { severity, message, path: dottedPath(path), code };
    if (file !== undefined) issue.file = file;
    const at = position ?? source?.valuePosition(path);
    if (at) Object.assign(issue, { line: at.line, column: at.column });
    issues.push(issue);
  };
  const reported = new Set<string>();
  for (const step of pipeline.steps) {
    const primerId = step.style;
    if (primerId === undefined) continue;
    const fields = primers.get(primerId);
    if (fields === undefined) {
      if (reported.has(primerId)) continue;
      reported.add(primerId);
      const path = pipeline.style === primerId
        ? ["defaults", "style"]
        : ["steps", step.id, "style"];
      const suggestion = didYouMean(primerId, [...primers.keys()].filter((id) => primers.get(id)));
      add(
        "error",
        path,
        `Style primer "${primerId}" was not found${didYouMeanSuffix(suggestion)}`,
        "unknown_style",
      );
      continue;
    }
    const templates: Array<[string, string | undefined]> = [
      ["prompt_template", step.promptTemplate],
      ["system_prompt", step.systemPrompt],
      ["selection_prompt", step.selectionPrompt],
    ];
    for (const [key, template] of templates) {
      if (!template) continue;
      for (const use of templateVariables(template, { lenient: true })) {
        if (use.segments[0] !== "style") continue;
        let current: unknown = fields;
        for (const segment of use.segments.slice(1)) {
          if (segment === null || current === undefined) break;
          current =
            isMapping(current) && typeof segment === "string" && Object.hasOwn(current, segment)
              ? current[segment]
              : Array.isArray(current) && typeof segment === "number"
              ? current.at(segment)
              : segment === "size"
              ? 0
              : undefined;
        }
        if (current !== undefined) continue;
        const path = ["steps", step.id, key];
        add(
          "warning",
          path,
          `"${use.path}" is not in style primer "${primerId}": it renders as empty text (add a default filter or the field)`,
          "unknown_variable",
          source?.positionInScalar(path, use.line, use.column),
        );
      }
    }
  }
  return issues;
}
