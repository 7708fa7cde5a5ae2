/**
 * Reads what the writer types, a line at a time. When stdin and stdout are
 * a terminal, each prompt is edited in raw mode (`Deno.stdin.setRaw`) by
 * line_editor.ts: arrows, Home/End, Ctrl-A/E/U/K/W/Y, Backspace and Delete
 * anywhere in the line, Up/Down through the history of that kind of prompt
 * (input_history.ts); the terminal is back in its normal (cooked) mode
 * between prompts, so Ctrl-C while a run streams is still a signal.
 * Otherwise (a pipe, a file, a test's reader) lines are read as they come.
 * Ctrl-D on an empty line gives `null` (end of input; a terminal can be read
 * again after it); Ctrl-C while waiting for a line throws
 * `InterruptedError`, so a prompt can stop cleanly instead of the process
 * dying mid-write.
 */
import { decodeKeys } from "./key_decoder.ts";
import { InputHistory } from "./input_history.ts";
import { LineEditor, renderLine } from "./line_editor.ts";
import { visibleLength } from "../output.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What one prompt asks for. */
export interface ReadLineOptions {
  /** Stops the wait with its reason; what was typed so far stays for the next call. */
  signal?: AbortSignal;
  /** Written before the line (and redrawn with it while editing). */
  prompt?: string;
  /** The kind of prompt whose history Up/Down walk, and where the line is recorded (`choice`, `feedback` …). */
  history?: string;
  /** Whether the line is added to that history (true by default). */
  remember?: boolean;
}

let restoreOnExit = false;

function setRaw(raw: boolean): void {
  try {
    Deno.stdin.setRaw(raw);
  } catch {
    // Not a terminal any more (closed): nothing to set or restore.
  }
  if (raw && !restoreOnExit) {
    restoreOnExit = true;
    globalThis.addEventListener("unload", () => setRaw(false));
  }
}

function columns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

function writeStdout(text: string): void {
  const data = encoder.encode(text);
  let offset = 0;
  while (offset < data.length) offset += Deno.stdout.writeSync(data.subarray(offset));
}

/** The writer pressed Ctrl-C while a prompt was waiting. */
export class InterruptedError extends Error {
  constructor() {
    super("Interrupted");
    this.name = "InterruptedError";
  }
}

/** Where lines come from (stdin by default; tests may pass another reader). */
export interface LineSource {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** How a TerminalInput reads and writes. */
export interface TerminalInputOptions {
  /** Where bytes come from; stdin by default (and only stdin is edited in raw mode). */
  source?: LineSource;
  /** The prompts' history (in memory when not given). */
  history?: InputHistory;
  /** Where prompts are written; stdout by default. */
  write?: (text: string) => void;
}

/** Line reader over stdin with line editing, history and Ctrl-C awareness. */
export class TerminalInput {
  #source: LineSource;
  #pending = "";
  #read?: Promise<{ count: number | null; buffer: Uint8Array }>;
  #interrupts = new Set<() => void>();
  #listener?: () => void;
  #editing: boolean;
  #write: (text: string) => void;
  /** The history of every kind of prompt. */
  readonly history: InputHistory;
  /** What was typed at a prompt an abort stopped, offered again at the next one. */
  #draft = "";

  constructor(options: TerminalInputOptions = {}) {
    this.#source = options.source ?? Deno.stdin;
    this.#editing = options.source === undefined && Deno.stdin.isTerminal() &&
      Deno.stdout.isTerminal();
    this.#write = options.write ?? writeStdout;
    this.history = options.history ?? new InputHistory();
  }

  /** Whether prompts are edited in raw mode (stdin and stdout are a terminal). */
  get editing(): boolean {
    return this.#editing;
  }

  /** Starts catching SIGINT: Ctrl-C then interrupts the waiting prompt instead of killing the process. */
  catchInterrupts(): void {
    if (this.#listener) return;
    this.#listener = () => {
      for (const interrupt of [...this.#interrupts]) interrupt();
    };
    Deno.addSignalListener("SIGINT", this.#listener);
  }

  /** Stops catching SIGINT. */
  releaseInterrupts(): void {
    if (!this.#listener) return;
    Deno.removeSignalListener("SIGINT", this.#listener);
    this.#listener = undefined;
  }

  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void {
    this.#interrupts.add(handler);
    return () => this.#interrupts.delete(handler);
  }

  #nextChunk(): Promise<{ count: number | null; buffer: Uint8Array }> {
    if (!this.#read) {
      const buffer = new Uint8Array(4096);
      this.#read = this.#source.read(buffer).then((count) => ({ count, buffer }));
    }
    return this.#read;
  }

  /** Waits for the next chunk, Ctrl-C (a signal) or the abort of `signal`. */
  async #wait(signal?: AbortSignal): Promise<Uint8Array | null> {
    signal?.throwIfAborted();
    let stop!: () => void;
    let unlisten = () => {};
    const interrupted = new Promise<"interrupted" | "aborted">((resolve) => {
      stop = this.onInterrupt(() => resolve("interrupted"));
      if (signal) {
        const onAbort = () => resolve("aborted");
        signal.addEventListener("abort", onAbort, { once: true });
        unlisten = () => signal.removeEventListener("abort", onAbort);
      }
    });
    const chunk = await Promise.race([this.#nextChunk(), interrupted]);
    stop();
    unlisten();
    if (chunk === "interrupted") throw new InterruptedError();
    if (chunk === "aborted") throw signal!.reason;
    this.#read = undefined;
    if (chunk.count === null || chunk.count === 0) return null;
    return chunk.buffer.subarray(0, chunk.count);
  }

  /**
   * The next line without its newline; null at end of input (Ctrl-D). The
   * prompt is written first; in a terminal the line is edited in place. An
   * aborted `signal` stops the wait with its reason; what was typed so far
   * stays for the next call.
   */
  async readLine(options: ReadLineOptions = {}): Promise<string | null> {
    const line = this.#editing ? await this.#editLine(options) : await this.#plainLine(options);
    if (line !== null && options.history && options.remember !== false) {
      this.history.add(options.history, line);
    }
    return line;
  }

  async #editLine(options: ReadLineOptions): Promise<string | null> {
    let prompt = options.prompt ?? "";
    // A prompt too wide to leave room for typing goes on a line of its own, so redraws stay on one row.
    if (visibleLength(prompt.slice(prompt.lastIndexOf("\n") + 1)) > columns() - 12) {
      prompt += "\n> ";
    }
    const cut = prompt.lastIndexOf("\n") + 1;
    const shown = prompt.slice(cut);
    const editor = new LineEditor({
      text: this.#draft,
      history: options.history ? this.history.entries(options.history) : [],
    });
    this.#draft = "";
    this.#write(prompt.slice(0, cut));
    const draw = () => this.#write(renderLine(shown, editor, columns()));
    draw();
    setRaw(true);
    try {
      while (true) {
        // Keys up to the first Enter; what follows it (a paste) is for the next prompt.
        const enter = this.#pending.search(/[\r\n]/);
        const head = enter >= 0 ? this.#pending.slice(0, enter) : this.#pending;
        const { keys, rest } = decodeKeys(head);
        this.#pending = enter >= 0
          ? this.#pending.slice(enter + (this.#pending.startsWith("\r\n", enter) ? 2 : 1))
          : rest;
        for (const key of keys) {
          const outcome = editor.apply(key);
          if (outcome === "interrupt") {
            this.#pending = "";
            this.#write("^C\r\n");
            throw new InterruptedError();
          }
          if (outcome === "eof") {
            this.#pending = "";
            this.#write("\r\n");
            return null;
          }
        }
        if (enter >= 0) {
          this.#write(`\r${shown}${editor.text}\x1b[K\r\n`);
          return editor.text;
        }
        if (keys.length > 0) draw();
        let chunk: Uint8Array | null;
        try {
          chunk = await this.#wait(options.signal);
        } catch (error) {
          if (!(error instanceof InterruptedError)) this.#draft = editor.text;
          throw error;
        }
        if (chunk === null) {
          this.#write("\r\n");
          return editor.text === "" ? null : editor.text;
        }
        this.#pending += decoder.decode(chunk, { stream: true });
      }
    } finally {
      setRaw(false);
    }
  }

  async #plainLine(options: ReadLineOptions): Promise<string | null> {
    const { signal } = options;
    if (options.prompt) this.#write(options.prompt);
    while (true) {
      const newline = this.#pending.indexOf("\n");
      if (newline >= 0) {
        const line = this.#pending.slice(0, newline).replace(/\r$/, "");
        this.#pending = this.#pending.slice(newline + 1);
        return line;
      }
      const chunk = await this.#wait(signal);
      if (chunk === null) {
        if (this.#pending.length > 0) {
          const rest = this.#pending;
          this.#pending = "";
          return rest;
        }
        return null;
      }
      this.#pending += decoder.decode(chunk, { stream: true });
    }
  }
}
