/**
 * Checks the inputs given to a run against the pipeline's input specs: types
 * coerced from text (`--input count=3`), defaults applied, required inputs
 * present, choice values among the options (with "did you mean"), and
 * `max_length`/`min`/`max` enforced. Optional inputs left empty become ""
 * (false for booleans) so that templates never meet an undefined variable.
 */
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import type { IssueCode, ValidationIssue } from "./errors.ts";
import type { InputSpec, LoadResult, Pipeline } from "./pipeline_schema.ts";

const TRUE_WORDS = new Set(["true", "yes", "y", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "off", "0"]);

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null ||
    (typeof value === "string" && value.trim() === "");
}

/** Validates and coerces a run's inputs; `value` holds every declared input when there is no error. */
export function validateInputs(
  pipeline: Pipeline,
  raw: Record<string, unknown>,
): LoadResult<Record<string, unknown>> {
  const issues: ValidationIssue[] = [];
  const error = (code: IssueCode, name: string, message: string, suggestion?: string) => {
    const issue: ValidationIssue = { severity: "error", message, path: `inputs.${name}`, code };
    if (suggestion !== undefined) issue.suggestion = suggestion;
    issues.push(issue);
  };
  const names = pipeline.inputs.map((input) => input.name);
  for (const name of Object.keys(raw)) {
    if (names.includes(name)) continue;
    const suggestion = didYouMean(name, names);
    error(
      "unknown_input",
      name,
      `Unknown input "${name}" for pipeline "${pipeline.id}"${
        suggestion
          ? didYouMeanSuffix(suggestion)
          : `: it takes ${names.map((n) => `"${n}"`).join(", ")}`
      }`,
      suggestion,
    );
  }
  const values: Record<string, unknown> = {};
  for (const input of pipeline.inputs) {
    const given = raw[input.name];
    if (isEmpty(given)) {
      if (input.default !== undefined) values[input.name] = input.default;
      else if (input.required) {
        error(
          "missing_input",
          input.name,
          `Missing required input "${input.name}" (${input.label}): give it a value`,
        );
      } else values[input.name] = input.type === "boolean" ? false : "";
      continue;
    }
    const coerced = coerce(
      input,
      given,
      (message, suggestion) => error("invalid_input", input.name, message, suggestion),
    );
    if (coerced !== undefined) values[input.name] = coerced;
  }
  return issues.length === 0 ? { value: values, issues } : { issues };
}

function coerce(
  input: InputSpec,
  given: unknown,
  error: (message: string, suggestion?: string) => void,
): unknown {
  const name = input.name;
  switch (input.type) {
    case "number": {
      const number = typeof given === "number"
        ? given
        : typeof given === "string"
        ? Number(given.trim())
        : NaN;
      if (!Number.isFinite(number)) {
        error(`Input "${name}" must be a number, not "${String(given)}"`);
        return undefined;
      }
      if (input.min !== undefined && number < input.min) {
        error(`Input "${name}" is ${number}, below its minimum of ${input.min}`);
        return undefined;
      }
      if (input.max !== undefined && number > input.max) {
        error(`Input "${name}" is ${number}, above its maximum of ${input.max}`);
        return undefined;
      }
      return number;
    }
    case "boolean": {
      if (typeof given === "boolean") return given;
      const word = String(given).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      error(`Input "${name}" must be true or false, not "${String(given)}"`);
      return undefined;
    }
    case "choice": {
      const text = typeof given === "string" ? given.trim() : String(given);
      const values = input.options.map((option) => option.value);
      if (values.includes(text)) return text;
      const byLabel = input.options.find((option) =>
        option.value.toLowerCase() === text.toLowerCase() ||
        option.label.toLowerCase() === text.toLowerCase()
      );
      if (byLabel) return byLabel.value;
      const suggestion = didYouMean(text, values);
      error(
        `Input "${name}" cannot be "${text}"${
          suggestion
            ? didYouMeanSuffix(suggestion)
            : `: use one of ${values.map((v) => `"${v}"`).join(", ")}`
        }`,
        suggestion,
      );
      return undefined;
    }
    default: {
      if (typeof given === "object") {
        error(`Input "${name}" must be text, not a ${Array.isArray(given) ? "list" : "mapping"}`);
        return undefined;
      }
      const text = String(given);
      if (input.maxLength !== undefined && text.length > input.maxLength) {
        error(
          `Input "${name}" is ${text.length} characters long, over its max_length of ${input.maxLength}: shorten it`,
        );
        return undefined;
      }
      return text;
    }
  }
}
