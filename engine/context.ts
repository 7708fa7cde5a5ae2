/**
 * Side effects the engine needs, injected so replays and tests are
 * deterministic: the clock and the id source. Entry points (`cli.ts`,
 * `main.ts`) pass `systemContext()`; tests pass fixed ones.
 */

/** Time and ids, as the engine sees them. */
export interface EngineContext {
  /** Current time. */
  now(): Date;
  /** A new unique id (UUID v4 by default). */
  newId(): string;
}

/** The real clock and `crypto.randomUUID`. */
export function systemContext(): EngineContext {
  return { now: () => new Date(), newId: () => crypto.randomUUID() };
}

/** A clock that starts at `start` and advances only when told; ids count up. */
export function fixedContext(start = new Date("2026-01-01T00:00:00Z")): EngineContext & {
  advance(milliseconds: number): void;
} {
  let time = start.getTime();
  let counter = 0;
  return {
    now: () => new Date(time),
    newId: () => `id-${String(++counter).padStart(6, "0")}`,
    advance(milliseconds: number) {
      time += milliseconds;
    },
  };
}
