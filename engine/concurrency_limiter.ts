/**
 * A counting semaphore with a FIFO queue: at most `limit` tasks run at once,
 * the others wait their turn in arrival order. The executor keeps one for
 * model calls across every run of a service (the global call limit) and one
 * for runs being advanced. A waiter whose AbortSignal fires leaves the queue
 * without running.
 *
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter(4);
 * const text = await limiter.run(() => callModel(), { signal });
 * ```
 */
import { CancelledError } from "./errors.ts";

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Options of `run` and `acquire`. */
export interface LimiterOptions {
  /** Stops waiting (rejects with CancelledError) when aborted before a slot is free. */
  signal?: AbortSignal;
}

/** Limits how many tasks run at once. */
export class ConcurrencyLimiter {
  readonly limit: number;
  #active = 0;
  #queue: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `A concurrency limit must be a whole number of at least 1, not ${limit}`,
      );
    }
    this.limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a slot; returns the function that frees it (call it exactly once). */
  async acquire(options: LimiterOptions = {}): Promise<() => void> {
    options.signal?.throwIfAborted();
    if (this.#active < this.limit) {
      this.#active++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal: options.signal };
        if (options.signal) {
          waiter.onAbort = () => {
            const index = this.#queue.indexOf(waiter);
            if (index >= 0) this.#queue.splice(index, 1);
            reject(
              new CancelledError("Stopped waiting for a free slot: the operation was aborted"),
            );
          };
          options.signal.addEventListener("abort", waiter.onAbort, { once: true });
        }
        this.#queue.push(waiter);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  /** Runs `task` when a slot is free and frees the slot when it settles. */
  async run<T>(task: () => Promise<T>, options: LimiterOptions = {}): Promise<T> {
    const release = await this.acquire(options);
    try {
      return await task();
    } finally {
      release();
    }
  }

  #release(): void {
    const next = this.#queue.shift();
    if (!next) {
      this.#active--;
      return;
    }
    if (next.onAbort) next.signal?.removeEventListener("abort", next.onAbort);
    next.resolve();
  }
}
