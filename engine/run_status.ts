/**
 * The statuses a run can be in, as plain values (no schema library), for
 * places that only need the list: command-line help and filters.
 */

/** Lifecycle of a run (seed: INITIALIZING → RUNNING → PAUSED/COMPLETED, any → ERROR; plus CANCELLED). */
export const RUN_STATUSES = [
  "initializing",
  "running",
  "paused",
  "completed",
  "error",
  "cancelled",
] as const;

/** One run status. */
export type RunStatusName = typeof RUN_STATUSES[number];

/** Whether `value` is a run status. */
export function isRunStatus(value: string): value is RunStatusName {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

/**
 * A run's status as a person reads it in a list: a running run whose steps
 * wait for the writer is "waiting for you", apart from one that generates.
 */
export function runStatusLabel(run: { status: string; waitingFor?: readonly string[] }): string {
  if (run.status === "running" && run.waitingFor && run.waitingFor.length > 0) {
    return `waiting for you (${run.waitingFor.join(", ")})`;
  }
  return run.status;
}
