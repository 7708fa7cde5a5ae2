/**
 * How the CLI writes: plain, parseable text when stdout is not a terminal (or
 * NO_COLOR is set), colours where a terminal shows them, JSON with `--json`.
 * Results go to stdout; notes and errors go to stderr so pipes stay clean.
 */
import { colourDisabled, type Environment, processEnvironment } from "../environment.ts";

const encoder = new TextEncoder();

/** ANSI styles that turn into plain text when colour is off. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
  italic(text: string): string;
  underline(text: string): string;
  strike(text: string): string;
}

function makeStyles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
    italic: wrap(3, 23),
    underline: wrap(4, 24),
    strike: wrap(9, 29),
  };
}

/** A table column: header and how to read a cell from a row. */
export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** How an Output writes. */
export interface OutputOptions {
  /** JSON instead of text (default false). */
  json?: boolean;
  /** Colours on or off (default: on for a terminal unless NO_COLOR is set in `env`). */
  colour?: boolean;
  /** Whether stdout is a terminal (default: asks stdout). */
  interactive?: boolean;
  /** The environment NO_COLOR is looked up in (default `processEnvironment()`). */
  env?: Environment;
}

/** Writes CLI output. */
export class Output {
  readonly json: boolean;
  readonly colour: boolean;
  readonly styles: Styles;
  readonly interactive: boolean;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.interactive = options.interactive ?? Deno.stdout.isTerminal();
    this.colour = options.colour ??
      (this.interactive && !colourDisabled(options.env ?? processEnvironment()));
    this.styles = makeStyles(this.colour);
  }

  /** Writes text to stdout without a newline. */
  write(text: string): void {
    writeAll(Deno.stdout, encoder.encode(text));
  }

  /** Writes a line to stdout. */
  print(text = ""): void {
    this.write(text + "\n");
  }

  /** Writes a value as pretty JSON on stdout. */
  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Writes one JSON value per line (for event streams). */
  printJsonLine(value: unknown): void {
    this.print(JSON.stringify(value));
  }

  /** Writes a note for humans to stderr. */
  note(text: string): void {
    writeAll(Deno.stderr, encoder.encode(text + "\n"));
  }

  /** Writes an aligned table to stdout; an empty list prints `empty`. */
  table<T>(rows: T[], columns: Column<T>[], empty = "nothing to show"): void {
    if (rows.length === 0) {
      this.print(this.styles.dim(empty));
      return;
    }
    const cells = rows.map((row) => columns.map((column) => column.value(row)));
    const widths = columns.map((column, index) =>
      Math.max(column.header.length, ...cells.map((line) => visibleLength(line[index])))
    );
    const pad = (text: string, index: number) => {
      const gap = " ".repeat(Math.max(0, widths[index] - visibleLength(text)));
      return columns[index].right ? gap + text : text + gap;
    };
    const last = columns.length - 1;
    const line = (parts: string[]) =>
      parts.map((part, index) => index === last && !columns[index].right ? part : pad(part, index))
        .join("  ");
    this.print(this.styles.bold(line(columns.map((column) => column.header))));
    for (const row of cells) this.print(line(row));
  }
}

/** Length of text without ANSI escapes. */
export function visibleLength(text: string): number {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}

function writeAll(target: { writeSync(data: Uint8Array): number }, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += target.writeSync(data.subarray(offset));
}
