/**
 * Where an `--input name=VALUE` value comes from, as curl and gh spell it:
 * `name=@path` reads the file at `path` (UTF-8 text), `name=-` (or `name=@-`)
 * reads standard input to its end, once per command, and `name=@@text` is the
 * literal `@text` (the escape for a value that starts with `@`; a value that
 * is exactly `-` is given with `--inputs FILE`). Anything else is the value
 * itself. Trailing newlines of a file or of standard input are dropped, as
 * the shell's `$(cat file)` does. A file or standard input may hold at most `MAX_INPUT_CHARACTERS`,
 * the engine's limit for one rendered prompt; a pipeline input's own
 * `max_length` is checked with `checkSourcedLengths` once the pipeline is
 * known, so the message names the file.
 *
 * @example
 * ```ts
 * const value = await readInputValue("notes", "@notes.md", { stdin: new StdinOnce() });
 * ```
 */
import { readFileSync, statSync } from "node:fs";
import type { InputSpec } from "../engine/pipeline_schema.ts";
import { MAX_RENDERED_CHARACTERS } from "../engine/template.ts";
import { UsageError } from "./usage_error.ts";

/** Most characters an input read from a file or standard input may hold: one prompt's limit. */
export const MAX_INPUT_CHARACTERS = MAX_RENDERED_CHARACTERS;

/** Where the value of each input read from somewhere came from: `"notes.md"` or standard input. */
export type InputSources = Record<string, string>;

/** The words used for standard input in messages. */
export const STANDARD_INPUT = "standard input";

/** Reads standard input to its end, at most once per command. */
export class StdinOnce {
  #readBy?: string;
  #read: () => Promise<Uint8Array>;

  constructor(read: () => Promise<Uint8Array> = readAllStdin) {
    this.#read = read;
  }

  /** All of standard input, for the input `name`; a second reader is refused. */
  async take(name: string, flag: string): Promise<Uint8Array> {
    if (this.#readBy !== undefined) {
      throw new UsageError(
        `${flag} reads standard input, which ${this.#readBy} already reads: give one of them a file with @path`,
      );
    }
    this.#readBy = flag;
    if (Deno.stdin.isTerminal()) {
      console.error(`Reading "${name}" from the terminal: end it with Ctrl-D on an empty line.`);
    }
    return await this.#read();
  }
}

async function readAllStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buffer = new Uint8Array(65536);
  while (true) {
    const count = await Deno.stdin.read(buffer);
    if (count === null || count === 0) break;
    chunks.push(buffer.slice(0, count));
    size += count;
    // UTF-8 spends at most 4 bytes a character: stop reading once the limit is surely passed.
    if (size > MAX_INPUT_CHARACTERS * 4) break;
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

function decode(bytes: Uint8Array, name: string, where: string, flag: string): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(
      `Input "${name}" read from ${where} is not UTF-8 text: give ${flag} a text file (convert it with iconv)`,
    );
  }
  if (text.length > MAX_INPUT_CHARACTERS) {
    throw new UsageError(
      `Input "${name}" read from ${where} is over ${
        MAX_INPUT_CHARACTERS.toLocaleString("en-US")
      } characters, the limit for one prompt: give ${flag} a shorter text`,
    );
  }
  // As the shell's $(cat file): the newline ending the last line is not part of the value.
  return text.replace(/(\r?\n)+$/, "");
}

function readFileValue(name: string, path: string, flag: string): string {
  const where = `"${path}"`;
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new UsageError(
        `Input "${name}" names ${where}, which is a folder: give ${flag} a file (--input ${name}=@notes.md)`,
      );
    }
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === "ENOENT"
        ? `Input "${name}" names ${where}, which does not exist: check the path (or write @@ for a value that starts with @)`
        : `Cannot read ${where} for input "${name}": ${(error as Error).message}`,
    );
  }
  if (size > MAX_INPUT_CHARACTERS * 4) {
    throw new UsageError(
      `Input "${name}" names ${where}, which is ${
        size.toLocaleString("en-US")
      } bytes, over the limit for one prompt (${
        MAX_INPUT_CHARACTERS.toLocaleString("en-US")
      } characters): give ${flag} a shorter file`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read ${where} for input "${name}": ${
        (error as Error).message
      }: check its permissions`,
    );
  }
  return decode(bytes, name, where, flag);
}

/**
 * The value of `--input name=raw`: a file's text for `@path`, standard input
 * for `-` or `@-`, `@text` for `@@text`, else `raw` itself. `source` is set
 * to where the text came from, when it came from somewhere.
 */
export async function readInputValue(
  name: string,
  raw: string,
  options: { stdin: StdinOnce },
): Promise<{ value: string; source?: string }> {
  const flag = `--input ${name}=${raw}`;
  if (raw.startsWith("@@")) return { value: raw.slice(1) };
  if (raw === "-" || raw === "@-") {
    const bytes = await options.stdin.take(name, flag);
    return { value: decode(bytes, name, STANDARD_INPUT, flag), source: STANDARD_INPUT };
  }
  if (raw.startsWith("@")) {
    const path = raw.slice(1);
    if (path === "") {
      throw new UsageError(
        `${flag} names no file: write --input ${name}=@path, or --input ${name}=@@ for a literal "@"`,
      );
    }
    return { value: readFileValue(name, path, flag), source: `"${path}"` };
  }
  return { value: raw };
}

/**
 * Refuses an input read from a file or standard input that is longer than
 * its `max_length` in the pipeline, naming where it came from (the engine's
 * own check would not know the file).
 */
export function checkSourcedLengths(
  specs: InputSpec[],
  values: Record<string, unknown>,
  sources: InputSources,
): void {
  for (const [name, where] of Object.entries(sources)) {
    const spec = specs.find((candidate) => candidate.name === name);
    const value = values[name];
    if (spec?.maxLength === undefined || typeof value !== "string") continue;
    if (value.length > spec.maxLength) {
      throw new UsageError(
        `Input "${name}" read from ${where} is ${
          value.length.toLocaleString("en-US")
        } characters, over its max_length of ${
          spec.maxLength.toLocaleString("en-US")
        }: shorten the text or give a shorter file`,
      );
    }
  }
}
