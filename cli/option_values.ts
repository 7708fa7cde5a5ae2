/**
 * Readers for command-line option values the commands share (`--limit`,
 * `--at`, `--from`, `--responses`, a repeatable flag): a bad value is a UsageError (exit 2) that names the flag
 * and the value.
 *
 * @example
 * ```ts
 * positiveInteger("12", "--at"); // 12
 * parseResponses("3"); // 3
 * ```
 */
import { UsageError } from "./usage_error.ts";

/** Collects a repeatable option (commander's argParser): `-i a -i b` → `["a", "b"]`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `text` as a whole number of 1 or more; `flag` names the option in the error. */
export function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${flag} takes a whole number of 1 or more, not "${text}"`);
  }
  return value;
}

/** `--responses`: candidates per model, 1 to 10; undefined when not given. */
export function parseResponses(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 10) {
    throw new UsageError(`--responses must be a whole number from 1 to 10, not "${text}"`);
  }
  return count;
}
