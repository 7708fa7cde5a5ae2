/**
 * The inputs `writeit run` is given on its command line, locally or with
 * `--server`: `--inputs FILE` (YAML or JSON, read here on this machine; `-`
 * reads it from standard input) and `--input key=value` flags, which win over
 * the file; a flag's value may be `@path` or `-` (cli/input_sources.ts).
 * YAML loads only when a file is given, so `writeit --help` stays fast.
 *
 * @example
 * ```ts
 * const { values } = await givenInputs({ inputs: "inputs.yaml", input: ["topic=Rust"] });
 * ```
 */
import { readFileSync } from "node:fs";
import { ValidationError } from "../engine/errors.ts";
import { type InputSources, readInputValue, STANDARD_INPUT, StdinOnce } from "./input_sources.ts";
import { UsageError } from "./usage_error.ts";

/** Options of `writeit run` (local and `--server`). */
export interface RunOptions {
  input: string[];
  inputs?: string;
  yes?: boolean;
  acceptInvalid?: boolean;
  model?: string;
  responses?: string;
  style?: string;
  json?: boolean;
  /** Print what the run would cost and run nothing. */
  estimate?: boolean;
  /** Stream cached answers at the pace the live ones arrived. */
  replayPace?: boolean;
}

/** Whether this invocation may ask the writer questions: a terminal, without `--yes` or `--json`. */
export function canAsk(options: { yes?: boolean; json?: boolean }): boolean {
  return !options.yes && !options.json && Deno.stdin.isTerminal();
}

/** Parses `--input key=value` flags (the values as written: `@path` and `-` are not read here). */
export function parseInputFlags(flags: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const flag of flags) {
    const equals = flag.indexOf("=");
    if (equals <= 0) {
      throw new UsageError(
        `--input "${flag}" is not key=value: write it as --input topic="Rust" (or notes=@notes.md)`,
      );
    }
    values[flag.slice(0, equals).trim()] = flag.slice(equals + 1);
  }
  return values;
}

/**
 * Reads an `--inputs` file: a YAML or JSON mapping of input names to values
 * (an empty file is no inputs). An unreadable file is a UsageError; one that
 * does not parse or is not a mapping is a ValidationError.
 */
export async function readInputsFile(
  path: string,
  options: { stdin?: StdinOnce } = {},
): Promise<Record<string, unknown>> {
  let text: string;
  if (path === "-") {
    const bytes = await (options.stdin ?? new StdinOnce()).take("--inputs", "--inputs -");
    text = new TextDecoder().decode(bytes);
    path = STANDARD_INPUT;
  } else {
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new UsageError(
        `Cannot read --inputs file "${path}": ${(error as Error).message}: check the path`,
      );
    }
  }
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ValidationError(
      `The --inputs file "${path}" is not valid YAML or JSON: ${
        (error as Error).message.split("\n")[0]
      }`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError(
      `The --inputs file "${path}" must hold a mapping of input names to values, like "topic: Rust"`,
    );
  }
  return value as Record<string, unknown>;
}

/** The inputs given, and where those read from a file or standard input came from. */
export interface GivenInputs {
  values: Record<string, unknown>;
  sources: InputSources;
}

/**
 * The `--inputs` file's values (if one is given) overlaid with the `--input`
 * flags, `@path` and `-` values read. Standard input is read at most once:
 * two flags that both ask for it are a UsageError.
 */
export async function givenInputs(
  options: Pick<RunOptions, "input" | "inputs">,
  dependencies: { stdin?: StdinOnce } = {},
): Promise<GivenInputs> {
  const stdin = dependencies.stdin ?? new StdinOnce();
  const values: Record<string, unknown> = options.inputs
    ? await readInputsFile(options.inputs, { stdin })
    : {};
  const sources: InputSources = {};
  for (const [name, raw] of Object.entries(parseInputFlags(options.input))) {
    const read = await readInputValue(name, raw, { stdin });
    values[name] = read.value;
    if (read.source) sources[name] = read.source;
  }
  return { values, sources };
}
