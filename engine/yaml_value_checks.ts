/**
 * Typed reads of values parsed from YAML, each reporting a located issue when
 * the value has the wrong type or is out of range, and unknown-key warnings
 * with "did you mean". Used by the pipeline and style primer loaders.
 */
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import type { IssueList } from "./yaml_issues.ts";
import type { YamlPath } from "./yaml_locations.ts";

/** A plain mapping parsed from YAML. */
export type Mapping = Record<string, unknown>;

/** True for a YAML mapping (not a list, not null). */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short description of a value for messages: `the text "three"`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the text "${shown}"`;
  }
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

/** Range limits for numbers. */
export interface RangeOptions {
  min?: number;
  max?: number;
}

/** Reads values under a document, recording issues in `issues`. */
export class ValueChecks {
  readonly issues: IssueList;
  constructor(issues: IssueList) {
    this.issues = issues;
  }

  #name(path: YamlPath): string {
    return `"${String(path.at(-1))}"`;
  }

  /** A string (numbers are not silently turned into text). */
  string(path: YamlPath, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "string") return value;
    this.issues.error(path, `${this.#name(path)} must be text, not ${describeValue(value)}`, {
      code: "invalid_value",
    });
    return undefined;
  }

  /** true or false. */
  boolean(path: YamlPath, value: unknown): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "boolean") return value;
    this.issues.error(
      path,
      `${this.#name(path)} must be true or false, not ${describeValue(value)}`,
      { code: "invalid_value" },
    );
    return undefined;
  }

  /** A whole number within the range. */
  integer(path: YamlPath, value: unknown, range: RangeOptions = {}): number | undefined {
    return this.#number(path, value, range, true);
  }

  /** Any number within the range. */
  number(path: YamlPath, value: unknown, range: RangeOptions = {}): number | undefined {
    return this.#number(path, value, range, false);
  }

  #number(path: YamlPath, value: unknown, range: RangeOptions, whole: boolean): number | undefined {
    if (value === undefined) return undefined;
    const inRange = typeof value === "number" && Number.isFinite(value) &&
      (!whole || Number.isInteger(value)) &&
      (range.min === undefined || value >= range.min) &&
      (range.max === undefined || value <= range.max);
    if (inRange) return value as number;
    const kind = whole ? "a whole number" : "a number";
    const bounds = range.min !== undefined && range.max !== undefined
      ? ` from ${range.min} to ${range.max}`
      : range.min !== undefined
      ? ` of at least ${range.min}`
      : range.max !== undefined
      ? ` of at most ${range.max}`
      : "";
    this.issues.error(
      path,
      `${this.#name(path)} must be ${kind}${bounds}, not ${describeValue(value)}`,
      { code: "invalid_value" },
    );
    return undefined;
  }

  /** A list of strings; with `single`, one string is accepted as a one-element list. */
  stringList(
    path: YamlPath,
    value: unknown,
    options: { single?: boolean } = {},
  ): string[] | undefined {
    if (value === undefined) return undefined;
    if (options.single && typeof value === "string") return [value];
    if (!Array.isArray(value)) {
      const expected = options.single ? "text or a list of text" : "a list of text";
      this.issues.error(
        path,
        `${this.#name(path)} must be ${expected}, not ${describeValue(value)}`,
        { code: "invalid_value" },
      );
      return undefined;
    }
    const result: string[] = [];
    let ok = true;
    value.forEach((item, index) => {
      if (typeof item === "string") result.push(item);
      else {
        ok = false;
        this.issues.error(
          [...path, index],
          `Items of ${this.#name(path)} must be text, not ${describeValue(item)}`,
          { code: "invalid_value" },
        );
      }
    });
    return ok ? result : undefined;
  }

  /** A mapping. */
  mapping(path: YamlPath, value: unknown, what?: string): Mapping | undefined {
    if (value === undefined) return undefined;
    if (isMapping(value)) return value;
    this.issues.error(
      path,
      `${what ?? this.#name(path)} must be a mapping of keys to values, not ${
        describeValue(value)
      }`,
      { code: "invalid_value" },
    );
    return undefined;
  }

  /** Warns about each key of `mapping` that is not in `known` (keys `ignored` accepts are skipped). */
  unknownKeys(
    path: YamlPath,
    mapping: Mapping,
    known: readonly string[],
    options: { where: string; ignored?: (key: string) => boolean },
  ): void {
    for (const key of Object.keys(mapping)) {
      if (known.includes(key) || options.ignored?.(key)) continue;
      const suggestion = didYouMean(key, known);
      const tail = suggestion === undefined ? ": it is ignored" : didYouMeanSuffix(suggestion);
      this.issues.warning([...path, key], `Unknown key "${key}" ${options.where}${tail}`, {
        at: "key",
        suggestion,
        code: "unknown_key",
      });
    }
  }
}
