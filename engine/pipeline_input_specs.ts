/**
 * Reads the `inputs` section of a pipeline file: each input's type, label,
 * flags, limits and choice options, with located issues for wrong types,
 * invalid names, choices without options, defaults outside the options and
 * `min` above `max`. Also enforces the seed rule that at least one input is
 * required.
 */
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import { type ChoiceOption, INPUT_TYPES, type InputSpec, NAME_PATTERN } from "./pipeline_schema.ts";
import { describeValue, isMapping, type ValueChecks } from "./yaml_value_checks.ts";

const INPUT_KEYS = [
  "type",
  "label",
  "required",
  "default",
  "placeholder",
  "help",
  "max_length",
  "min",
  "max",
  "options",
];
const OPTION_KEYS = ["value", "label", "description"];

/** A suggested valid name for an invalid one (`first-draft` → `first_draft`). */
export function validName(name: string): string | undefined {
  const candidate = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^[^A-Za-z]+/, "").replace(
    /_+$/,
    "",
  );
  return NAME_PATTERN.test(candidate) ? candidate : undefined;
}

/** Reads and checks `inputs`; returns the specs that could be read, in file order. */
export function readInputs(checks: ValueChecks, value: unknown): InputSpec[] {
  const issues = checks.issues;
  if (value === undefined || value === null) {
    issues.error([], `The pipeline has no inputs: add at least one required input under "inputs"`);
    return [];
  }
  const inputs = checks.mapping(["inputs"], value, '"inputs"');
  if (!inputs) return [];
  const result: InputSpec[] = [];
  for (const [name, spec] of Object.entries(inputs)) {
    const path = ["inputs", name];
    if (!NAME_PATTERN.test(name)) {
      const suggestion = validName(name);
      issues.error(
        path,
        `Input name "${name}" is invalid: use letters, digits and underscores, starting with a letter${
          suggestion ? ` (for example "${suggestion}")` : ""
        }`,
        { at: "key", suggestion },
      );
    }
    const input = readInput(checks, name, spec);
    if (input) result.push(input);
  }
  if (Object.keys(inputs).length === 0) {
    issues.error(
      ["inputs"],
      `The pipeline has no inputs: add at least one required input under "inputs"`,
      { at: "key" },
    );
  } else if (!Object.values(inputs).some((spec) => isMapping(spec) && spec.required === true)) {
    issues.error(
      ["inputs"],
      `No input is marked required: add "required: true" to at least one input`,
      {
        at: "key",
      },
    );
  }
  return result;
}

function readInput(checks: ValueChecks, name: string, value: unknown): InputSpec | undefined {
  const issues = checks.issues;
  const path = ["inputs", name];
  const at = (key: string) => [...path, key];
  const spec = checks.mapping(path, value, `Input "${name}"`);
  if (!spec) return undefined;
  checks.unknownKeys(path, spec, INPUT_KEYS, { where: `in input "${name}"` });
  let type: InputSpec["type"] = "text";
  if (spec.type !== undefined) {
    if (typeof spec.type === "string" && (INPUT_TYPES as readonly string[]).includes(spec.type)) {
      type = spec.type as InputSpec["type"];
    } else {
      const suggestion = typeof spec.type === "string"
        ? didYouMean(spec.type, INPUT_TYPES)
        : undefined;
      issues.error(
        at("type"),
        `Input type ${describeValue(spec.type)} is not one of ${INPUT_TYPES.join(", ")}${
          didYouMeanSuffix(suggestion)
        }`,
        { suggestion },
      );
    }
  }
  const input: InputSpec = {
    name,
    type,
    label: checks.string(at("label"), spec.label) ?? name,
    required: checks.boolean(at("required"), spec.required) ?? false,
    placeholder: checks.string(at("placeholder"), spec.placeholder),
    help: checks.string(at("help"), spec.help),
    maxLength: checks.integer(at("max_length"), spec.max_length, { min: 1 }),
    min: checks.number(at("min"), spec.min),
    max: checks.number(at("max"), spec.max),
    options: [],
  };
  if (input.min !== undefined && input.max !== undefined && input.min > input.max) {
    issues.error(
      at("min"),
      `"min" (${input.min}) is greater than "max" (${input.max}) in input "${name}": swap them`,
    );
  }
  if (type === "choice") {
    input.options = readOptions(checks, name, spec.options);
  } else if (spec.options !== undefined) {
    issues.warning(
      at("options"),
      `"options" only applies to choice inputs: set "type: choice" or remove it`,
      {
        at: "key",
      },
    );
  }
  const fallback = spec.default;
  if (fallback !== undefined && fallback !== null) {
    input.default = checkDefault(checks, input, fallback);
  }
  return input;
}

function readOptions(checks: ValueChecks, name: string, value: unknown): ChoiceOption[] {
  const issues = checks.issues;
  const path = ["inputs", name, "options"];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    issues.error(
      value === undefined ? ["inputs", name] : path,
      `Choice input "${name}" has no options: add "options" with at least one value`,
      {
        at: "key",
      },
    );
    return [];
  }
  if (!Array.isArray(value)) {
    issues.error(path, `"options" must be a list of values, not ${describeValue(value)}`);
    return [];
  }
  const options: ChoiceOption[] = [];
  value.forEach((item, index) => {
    const itemPath = [...path, index];
    if (typeof item === "string" || typeof item === "number") {
      options.push({ value: String(item), label: String(item) });
      return;
    }
    const option = checks.mapping(itemPath, item, `Option ${index + 1} of "${name}"`);
    if (!option) return;
    checks.unknownKeys(itemPath, option, OPTION_KEYS, { where: `in an option of "${name}"` });
    const optionValue = typeof option.value === "number"
      ? String(option.value)
      : checks.string([...itemPath, "value"], option.value);
    if (optionValue === undefined) {
      if (option.value === undefined) {
        issues.error(itemPath, `Option ${index + 1} of "${name}" has no "value"`);
      }
      return;
    }
    if (options.some((existing) => existing.value === optionValue)) {
      issues.error(
        [...itemPath, "value"],
        `Option value "${optionValue}" appears twice in "${name}": each value must be unique`,
      );
    }
    options.push({
      value: optionValue,
      label: checks.string([...itemPath, "label"], option.label) ?? optionValue,
      description: checks.string([...itemPath, "description"], option.description),
    });
  });
  return options;
}

function checkDefault(checks: ValueChecks, input: InputSpec, value: unknown): InputSpec["default"] {
  const path = ["inputs", input.name, "default"];
  const issues = checks.issues;
  switch (input.type) {
    case "number": {
      const number = checks.number(path, value, { min: input.min, max: input.max });
      return number;
    }
    case "boolean":
      return checks.boolean(path, value);
    case "choice": {
      const text = typeof value === "number" ? String(value) : checks.string(path, value);
      if (text === undefined || input.options.length === 0) return text;
      const values = input.options.map((option) => option.value);
      if (!values.includes(text)) {
        const suggestion = didYouMean(text, values);
        const tail = suggestion
          ? didYouMeanSuffix(suggestion)
          : `: use one of ${values.map((v) => `"${v}"`).join(", ")}`;
        issues.error(
          path,
          `Default "${text}" is not one of the options of "${input.name}"${tail}`,
          { suggestion },
        );
      }
      return text;
    }
    default: {
      const text = checks.string(path, value);
      if (text !== undefined && input.maxLength !== undefined && text.length > input.maxLength) {
        issues.error(
          path,
          `Default of "${input.name}" is ${text.length} characters, longer than max_length ${input.maxLength}`,
        );
      }
      return text;
    }
  }
}
