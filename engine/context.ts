/**
 * Side effects the engine needs, injected so replays and tests are
 * deterministic: the clock (time and repeating timers) and the id source.
 * Entry points (`cli.ts`, `main.ts`) pass `systemContext()`; tests pass
 * `fixedContext()`, whose time and timers move only when told.
 */

/** A repeating timer started by `EngineContext.every`. */
export interface RepeatingTimer {
  /** Stops the timer; its callback is not called again (idempotent). */
  stop(): void;
}

/** Time, timers and ids, as the engine sees them. */
export interface EngineContext {
  /** Current time. */
  now(): Date;
  /**
   * Calls `callback` every `milliseconds` of this clock's time until stopped.
   * Throws RangeError unless `milliseconds` is a positive finite number.
   */
  every(milliseconds: number, callback: () => void): RepeatingTimer;
  /** A new unique id (UUID v4 by default). */
  newId(): string;
}

function checkInterval(milliseconds: number): void {
  if (!Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new RangeError(
      `Invalid timer interval ${milliseconds}: expected a positive number of milliseconds`,
    );
  }
}

/** The real clock, real timers (`setInterval`) and `crypto.randomUUID`. */
export function systemContext(): EngineContext {
  return {
    now: () => new Date(),
    every(milliseconds, callback) {
      checkInterval(milliseconds);
      const interval = setInterval(callback, milliseconds);
      return { stop: () => clearInterval(interval) };
    },
    newId: () => crypto.randomUUID(),
  };
}

/** A context whose clock moves only by `advance`. */
export interface FixedContext extends EngineContext {
  /**
   * Moves the clock forward by `milliseconds`, calling each timer that falls
   * due on the way at its due time, earliest first (timers due at the same
   * time in the order they were started).
   */
  advance(milliseconds: number): void;
}

interface ScheduledTimer {
  due: number;
  interval: number;
  callback: () => void;
  order: number;
}

/** A clock that starts at `start` and advances only when told; ids count up. */
export function fixedContext(start = new Date("2026-01-01T00:00:00Z")): FixedContext {
  let time = start.getTime();
  let counter = 0;
  let started = 0;
  const timers = new Set<ScheduledTimer>();
  const nextDue = (until: number): ScheduledTimer | undefined => {
    let next: ScheduledTimer | undefined;
    for (const timer of timers) {
      if (timer.due > until) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) {
        next = timer;
      }
    }
    return next;
  };
  return {
    now: () => new Date(time),
    every(milliseconds, callback) {
      checkInterval(milliseconds);
      const timer = {
        due: time + milliseconds,
        interval: milliseconds,
        callback,
        order: started++,
      };
      timers.add(timer);
      return {
        stop() {
          timers.delete(timer);
        },
      };
    },
    newId: () => `id-${String(++counter).padStart(6, "0")}`,
    advance(milliseconds: number) {
      const target = time + milliseconds;
      for (let timer = nextDue(target); timer; timer = nextDue(target)) {
        time = timer.due;
        timer.due += timer.interval;
        timer.callback();
      }
      time = target;
    },
  };
}
