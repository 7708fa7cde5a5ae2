/**
 * Reads what the writer types, a line at a time, from stdin in the terminal's
 * normal (cooked) mode, so editing keys, paste and `tmux send-keys` all work.
 * Ctrl-D gives `null` (end of input; a terminal can be read again after it);
 * Ctrl-C while waiting for a line throws `InterruptedError`, so a prompt can
 * stop cleanly instead of the process dying mid-write.
 */

const decoder = new TextDecoder();

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

/** Line reader over stdin with Ctrl-C awareness. */
export class TerminalInput {
  #source: LineSource;
  #pending = "";
  #read?: Promise<{ count: number | null; buffer: Uint8Array }>;
  #interrupts = new Set<() => void>();
  #listener?: () => void;

  constructor(source: LineSource = Deno.stdin) {
    this.#source = source;
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

  /**
   * The next line without its newline; null at end of input (Ctrl-D). An
   * aborted `signal` stops the wait with its reason; what was typed so far
   * stays for the next call.
   */
  async readLine(options: { signal?: AbortSignal } = {}): Promise<string | null> {
    const { signal } = options;
    while (true) {
      const newline = this.#pending.indexOf("\n");
      if (newline >= 0) {
        const line = this.#pending.slice(0, newline).replace(/\r$/, "");
        this.#pending = this.#pending.slice(newline + 1);
        return line;
      }
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
      if (chunk.count === null || chunk.count === 0) {
        if (this.#pending.length > 0) {
          const rest = this.#pending;
          this.#pending = "";
          return rest;
        }
        return null;
      }
      this.#pending += decoder.decode(chunk.buffer.subarray(0, chunk.count), { stream: true });
    }
  }
}
