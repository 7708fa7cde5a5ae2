/**
 * Asks the writer for a pipeline's inputs, one at a time, by type: text (one
 * line), textarea (several lines, ended by a line with only "." or Ctrl-D),
 * number (asked again with the reason when the value is not acceptable),
 * boolean (y/n) and choice (a numbered list with labels and descriptions; a
 * number or a value is accepted). Each prompt shows the label, the help, the
 * default (Enter accepts it) and whether the input is required. At a text
 * or textarea prompt, `@path` (alone on the first line) reads the file, as
 * `--input name=@path` does, and `@@` starts a literal `@`.
 */
import type { InputSpec } from "../../engine/pipeline_schema.ts";
import type { Styles } from "../output.ts";
import type { TerminalInput } from "./terminal_input.ts";
import { readInputValue, StdinOnce } from "../input_sources.ts";
import { UsageError } from "../usage_error.ts";

/** Where prompts are written and answers read. */
export interface PromptIo {
  input: TerminalInput;
  write(text: string): void;
  styles: Styles;
}

const TRUE_WORDS = new Set(["y", "yes", "true", "on", "1"]);
const FALSE_WORDS = new Set(["n", "no", "false", "off", "0"]);

function header(spec: InputSpec, io: PromptIo): void {
  const { styles } = io;
  const marks: string[] = [];
  if (spec.required && spec.default === undefined) marks.push(styles.yellow("required"));
  if (spec.default !== undefined) marks.push(`default: ${styles.cyan(String(spec.default))}`);
  io.write(
    `\n${styles.bold(spec.label)} ${styles.dim(`(${spec.name})`)}` +
      (marks.length ? `  ${marks.join(" · ")}` : "") + "\n",
  );
  if (spec.help) io.write(`${styles.dim(spec.help)}\n`);
  if (spec.placeholder) io.write(`${styles.dim(`e.g. ${spec.placeholder}`)}\n`);
  if (spec.type === "text") io.write(`${styles.dim("(@path reads a file)")}\n`);
}

async function line(io: PromptIo, prompt: string, history?: string): Promise<string | null> {
  return await io.input.readLine({ prompt, history });
}

/** Checks one typed answer; returns the value or an error to show. */
export function parseAnswer(
  spec: InputSpec,
  answer: string,
): { value: string | number | boolean } | { error: string } | { empty: true } {
  const text = answer.trim();
  if (text === "") return { empty: true };
  switch (spec.type) {
    case "number": {
      const number = Number(text);
      if (!Number.isFinite(number)) return { error: `"${text}" is not a number: type digits` };
      if (spec.min !== undefined && number < spec.min) {
        return { error: `${number} is below the minimum of ${spec.min}` };
      }
      if (spec.max !== undefined && number > spec.max) {
        return { error: `${number} is above the maximum of ${spec.max}` };
      }
      return { value: number };
    }
    case "boolean": {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: `"${text}" is not yes or no: type y or n` };
    }
    case "choice": {
      if (/^\d+$/.test(text)) {
        const index = Number(text) - 1;
        const option = spec.options[index];
        if (option) return { value: option.value };
        return { error: `There is no option ${text}: type 1 to ${spec.options.length}` };
      }
      const option = spec.options.find((candidate) =>
        candidate.value.toLowerCase() === text.toLowerCase() ||
        candidate.label.toLowerCase() === text.toLowerCase()
      );
      if (option) return { value: option.value };
      return { error: `"${text}" is not one of the options: type its number or its value` };
    }
    default:
      if (spec.maxLength !== undefined && answer.length > spec.maxLength) {
        return {
          error:
            `That is ${answer.length} characters, over the limit of ${spec.maxLength}: shorten it`,
        };
      }
      return { value: spec.type === "textarea" ? answer : text };
  }
}

async function readTextarea(io: PromptIo): Promise<string | null> {
  io.write(
    io.styles.dim(
      'Several lines: end with a line containing only "." or press Ctrl-D (or type @path to read a file).\n',
    ),
  );
  const lines: string[] = [];
  while (true) {
    const next = await line(io, "| ");
    // "@path" alone on the first line reads a file (askInput reads it).
    if (lines.length === 0 && next !== null && /^@(?!@)\S/.test(next.trim())) return next.trim();
    if (next === null) {
      if (lines.length === 0) return null;
      io.write("\n");
      break;
    }
    if (next.trim() === ".") break;
    lines.push(next);
  }
  return lines.join("\n");
}

/**
 * The answer to a text prompt, with `@path` read from the file and `@@x`
 * as the literal `@x`; undefined (after saying why) when the file cannot be
 * read.
 */
async function fromFile(
  spec: InputSpec,
  answer: string,
  io: PromptIo,
): Promise<string | undefined> {
  const typed = answer.trim();
  if (!typed.startsWith("@")) return answer;
  if (typed === "@-") {
    io.write(
      io.styles.yellow("Standard input is this terminal: type or paste the text, or give @path.\n"),
    );
    return undefined;
  }
  // Standard input is never read here: "@-" is answered above.
  const stdin = new StdinOnce(() => Promise.resolve(new Uint8Array()));
  try {
    const read = await readInputValue(spec.name, typed, { stdin });
    if (read.source) {
      io.write(
        io.styles.dim(
          `Read ${read.value.length.toLocaleString("en-US")} characters from ${read.source}.\n`,
        ),
      );
    }
    return read.value;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.write(io.styles.yellow(`${error.message}.\n`));
    return undefined;
  }
}

/**
 * Asks for one input until the answer is acceptable. Returns undefined when
 * the writer leaves an optional input (or one with a default) empty;
 * throws InterruptedError on Ctrl-C and returns null at end of input.
 */
export async function askInput(
  spec: InputSpec,
  io: PromptIo,
): Promise<string | number | boolean | undefined | null> {
  header(spec, io);
  if (spec.type === "choice") {
    spec.options.forEach((option, index) => {
      const isDefault = option.value === spec.default ? io.styles.cyan(" (default)") : "";
      const description = option.description ? io.styles.dim(` — ${option.description}`) : "";
      io.write(
        `  ${index + 1}) ${option.label} ${
          io.styles.dim(`[${option.value}]`)
        }${isDefault}${description}\n`,
      );
    });
  }
  const prompts: Record<InputSpec["type"], string> = {
    text: "> ",
    textarea: "",
    number: "number> ",
    boolean: `y/n${spec.default === undefined ? "" : ` [${spec.default ? "y" : "n"}]`}> `,
    choice: `1-${spec.options.length} or value> `,
  };
  while (true) {
    const answer = spec.type === "textarea"
      ? await readTextarea(io)
      : await line(io, prompts[spec.type], `input.${spec.name}`);
    if (answer === null) return null;
    const text = spec.type === "text" || spec.type === "textarea"
      ? await fromFile(spec, answer, io)
      : answer;
    if (text === undefined) continue;
    const parsed = parseAnswer(spec, text);
    if ("empty" in parsed) {
      if (spec.default !== undefined || !spec.required) return undefined;
      io.write(io.styles.yellow(`${spec.label} is required: type a value.\n`));
      continue;
    }
    if ("error" in parsed) {
      io.write(io.styles.yellow(`${parsed.error}.\n`));
      continue;
    }
    return parsed.value;
  }
}

/**
 * Asks for every input of `specs` not already in `given`; returns the
 * combined values. Throws InterruptedError on Ctrl-C; stops asking at end of
 * input (what is missing is then reported by input validation).
 */
export async function askInputs(
  specs: InputSpec[],
  given: Record<string, unknown>,
  io: PromptIo,
): Promise<Record<string, unknown>> {
  const values = { ...given };
  const missing = specs.filter((spec) => values[spec.name] === undefined);
  if (missing.length === 0) return values;
  io.write(
    io.styles.bold(
      `This pipeline needs ${missing.length} input${missing.length === 1 ? "" : "s"}.`,
    ) +
      io.styles.dim(" Press Enter to accept a default.\n"),
  );
  for (const spec of missing) {
    const value = await askInput(spec, io);
    if (value === null) break;
    if (value !== undefined) values[spec.name] = value;
  }
  return values;
}
