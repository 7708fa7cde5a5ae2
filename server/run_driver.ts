/**
 * Drives runs in the background for the server: `drive(runId)` returns at
 * once and calls `RunService.advance` until the run needs a human, completes,
 * fails, or is paused or cancelled. A drive asked for while one is in flight
 * is remembered and runs right after it (a writer's pick while a parallel
 * step still generates must not be lost). Listeners hear when driving starts
 * and stops, with the error when it failed (another process holding the
 * run's lease, a provider failure, a budget). Closing stops every drive
 * cleanly: written events stay, interrupted generations resume next time.
 *
 * @example
 * ```ts
 * const driver = new RunDriver(service);
 * driver.drive(runId, { autoSelect: true });
 * await driver.idle(runId);
 * ```
 */
import type { RunService } from "../engine/run_service.ts";

/** What listeners hear. */
export interface DriveChange {
  runId: string;
  driving: boolean;
  /** Why the last drive stopped early (undefined when it ended normally). */
  error?: unknown;
}

/** Options of a RunDriver. */
export interface RunDriverOptions {
  /** Called when a drive fails. */
  onError?: (runId: string, error: unknown) => void;
}

/** How a drive auto-selects (see AdvanceOptions). */
export interface DriveSelection {
  /** Pick the first valid candidate at every step; with none, the run pauses there. */
  autoSelect?: boolean;
  /** With no valid candidate, take the first anyway. */
  acceptInvalid?: boolean;
}

interface Drive {
  done: Promise<void>;
  again: boolean;
  autoSelect: boolean;
  acceptInvalid: boolean;
  /** Work to do before advancing (a merge), run in order. */
  tasks: (() => Promise<unknown>)[];
}

/** Advances runs in the background, one drive per run at a time. */
export class RunDriver {
  readonly #service: RunService;
  readonly #options: RunDriverOptions;
  readonly #drives = new Map<string, Drive>();
  readonly #errors = new Map<string, unknown>();
  readonly #listeners = new Set<(change: DriveChange) => void>();
  #closed = false;

  constructor(service: RunService, options: RunDriverOptions = {}) {
    this.#service = service;
    this.#options = options;
  }

  /** Starts (or queues after the current one) a drive of the run; false once closed. */
  drive(runId: string, options: DriveSelection = {}): boolean {
    return this.#start(runId, options, undefined);
  }

  /**
   * Runs `task` (a merge: one model call) in the background as part of the
   * run's drive, after what is in flight; it does not advance the run.
   */
  task(runId: string, task: () => Promise<unknown>): boolean {
    return this.#start(runId, {}, task);
  }

  #start(
    runId: string,
    selection: DriveSelection,
    task: (() => Promise<unknown>) | undefined,
  ): boolean {
    const autoSelect = selection.autoSelect ?? false;
    const acceptInvalid = selection.acceptInvalid ?? false;
    if (this.#closed) return false;
    const current = this.#drives.get(runId);
    if (current) {
      if (task) current.tasks.push(task);
      else current.again = true;
      current.autoSelect ||= autoSelect;
      current.acceptInvalid ||= acceptInvalid;
      return true;
    }
    const drive: Drive = {
      done: Promise.resolve(),
      again: task === undefined,
      autoSelect,
      acceptInvalid,
      tasks: task ? [task] : [],
    };
    this.#drives.set(runId, drive);
    this.#errors.delete(runId);
    this.#emit({ runId, driving: true });
    drive.done = this.#loop(runId, drive);
    return true;
  }

  /** Whether the run is being driven by this process now. */
  isDriving(runId: string): boolean {
    return this.#drives.has(runId);
  }

  /** Why the run's last drive failed, if it did (cleared by the next drive). */
  lastError(runId: string): unknown {
    return this.#errors.get(runId);
  }

  /** Resolves when the run is not being driven. */
  async idle(runId: string): Promise<void> {
    while (this.#drives.has(runId)) await this.#drives.get(runId)!.done;
  }

  /** Calls `listener` on every start and stop of a drive; returns the unsubscribe function. */
  onChange(listener: (change: DriveChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of runs being driven. */
  get active(): number {
    return this.#drives.size;
  }

  /** Stops accepting drives and waits for those in flight (the service stops them). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#drives.values()].map((drive) => drive.done));
  }

  async #loop(runId: string, drive: Drive): Promise<void> {
    let failure: unknown;
    try {
      while ((drive.again || drive.tasks.length) && !this.#closed) {
        const task = drive.tasks.shift();
        if (task) {
          await task();
          continue;
        }
        drive.again = false;
        await this.#service.advance(runId, {
          autoSelect: drive.autoSelect,
          acceptInvalid: drive.acceptInvalid,
        });
      }
    } catch (error) {
      failure = error;
      this.#errors.set(runId, error);
      this.#options.onError?.(runId, error);
    } finally {
      this.#drives.delete(runId);
      this.#emit({ runId, driving: false, error: failure });
    }
  }

  #emit(change: DriveChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure (a closed socket) must not stop the drive.
      }
    }
  }
}
