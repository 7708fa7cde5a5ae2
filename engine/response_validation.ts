/**
 * A step's validation rules applied to one candidate: minimum and maximum
 * length (characters) and required elements (words or phrases that must
 * appear, case-insensitive). Failing candidates are flagged with one reason
 * per broken rule, never dropped: the writer may still pick one. The same
 * rules become `responseHints` for the model request.
 *
 * @example
 * ```ts
 * validateResponse("Short", { minResponseLength: 10, requiredElements: ["title"], checks: {} });
 * // { passed: false, reasons: ["shorter than 10 characters (5)", 'missing "title"'] }
 * ```
 */
import type { ResponseHints } from "./llm/language_model.ts";
import type { StepValidation } from "./pipeline_schema.ts";
import type { ResponseValidation } from "./run_model.ts";

/** Checks `text` against `rules`; no rules = passed. */
export function validateResponse(
  text: string,
  rules: StepValidation | undefined,
): ResponseValidation {
  if (!rules) return { passed: true, reasons: [] };
  const reasons: string[] = [];
  const length = text.length;
  if (rules.minResponseLength !== undefined && length < rules.minResponseLength) {
    reasons.push(`shorter than ${rules.minResponseLength} characters (${length})`);
  }
  if (rules.maxResponseLength !== undefined && length > rules.maxResponseLength) {
    reasons.push(`longer than ${rules.maxResponseLength} characters (${length})`);
  }
  const lower = text.toLowerCase();
  for (const element of rules.requiredElements ?? []) {
    if (element.trim() === "") continue;
    if (!lower.includes(element.toLowerCase())) reasons.push(`missing "${element}"`);
  }
  return { passed: reasons.length === 0, reasons };
}

/** The hints a model request carries for `rules` (undefined when there are none). */
export function responseHints(rules: StepValidation | undefined): ResponseHints | undefined {
  if (!rules) return undefined;
  const hints: ResponseHints = {};
  if (rules.minResponseLength !== undefined) hints.minLength = rules.minResponseLength;
  if (rules.maxResponseLength !== undefined) hints.maxLength = rules.maxResponseLength;
  if ((rules.requiredElements ?? []).length > 0) {
    hints.requiredElements = [...rules.requiredElements];
  }
  return Object.keys(hints).length === 0 ? undefined : hints;
}
