/**
 * One port for a front end to follow and steer a run: `current()` is the
 * session to draw (run_session.ts), `subscribe` calls back on every change,
 * `act` takes a person's action decided on the version shown (a stale one
 * is refused with code `stale_action`). `openLocalSession` implements it
 * over a RunService in this process and drives the run on itself;
 * client/remote_run_session.ts implements it over the REST API and the
 * run WebSocket. The terminal menu, the dashboard and a full-screen
 * terminal UI can draw from either.
 *
 * @example
 * ```ts
 * const session = await openLocalSession(service, runId, { actor: "tui" });
 * session.subscribe((view) => draw(view));
 * await session.act({ action: "select", stepId: "plan", index: 0 });
 * ```
 */
import { actOnRun, type RunActionRequest } from "./run_actions.ts";
import type { PipelineRun } from "./run_model.ts";
import type { RunService } from "./run_service.ts";
import { applyUpdate, openSession, type RunSession, type SessionUpdate } from "./run_session.ts";
import type { RunUpdate } from "./run_update.ts";

/** What an action returns: the session after it, and the run it produced (a branch: the child). */
export interface SessionActResult {
  session: RunSession;
  run: PipelineRun;
}

/** A run followed and steered by one front end. */
export interface RunSessionPort {
  readonly runId: string;
  /** The session to draw now. */
  current(): RunSession;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (session: RunSession) => void): () => void;
  /** Reads the run again (after a gap in the updates, or to be sure) and returns the session. */
  refresh(): Promise<RunSession>;
  /** Takes an action; `basedOn` defaults to the version of `current()`. */
  act(request: RunActionRequest): Promise<SessionActResult>;
  /** Stops following, once the drives this session started have stopped (they stop at the next choice). */
  close(): Promise<void>;
}

/** A session's state and listeners, shared by the implementations. */
export class SessionState {
  #session: RunSession;
  readonly #listeners = new Set<(session: RunSession) => void>();

  constructor(session: RunSession) {
    this.#session = session;
  }

  get value(): RunSession {
    return this.#session;
  }

  apply(update: SessionUpdate): void {
    const next = applyUpdate(this.#session, update);
    if (next === this.#session) return;
    this.#session = next;
    for (const listener of [...this.#listeners]) listener(next);
  }

  subscribe(listener: (session: RunSession) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** An engine update as a session update (events, chunks, resets, notices). */
export function sessionUpdateOf(update: RunUpdate): SessionUpdate {
  switch (update.type) {
    case "event":
      return { type: "event", event: update.event };
    case "chunk":
      return update;
    case "chunk_reset":
      return update;
    case "notice":
      return { type: "notice", message: update.message };
  }
}

/** Options of `openLocalSession`. */
export interface LocalSessionOptions {
  /** Who acts (recorded with every event; their own decisions make no notices). */
  actor?: string;
  /** Called when a background drive or merge this session started fails. */
  onDriveError?: (error: unknown) => void;
  /**
   * Drive the run on after an action (default true). False leaves driving to
   * the caller (the terminal menu drives with its live display) and finishes
   * a merge before `act` returns.
   */
  drive?: boolean;
}

/** A session over `service` in this process; it drives the run on after actions that let it. */
export async function openLocalSession(
  service: RunService,
  runId: string,
  options: LocalSessionOptions = {},
): Promise<RunSessionPort> {
  const state = new SessionState(
    openSession(await service.loadRun(runId), { self: options.actor }),
  );
  const stop = service.subscribe(runId, (update) => state.apply(sessionUpdateOf(update)));
  const drives = new Set<Promise<unknown>>();
  const background = (work: () => Promise<PipelineRun>) => {
    state.apply({ type: "driving", driving: true });
    const drive = work()
      .then((run) => state.apply({ type: "run", run }))
      .catch((error) => options.onDriveError?.(error))
      .finally(() => {
        drives.delete(drive);
        if (drives.size === 0) state.apply({ type: "driving", driving: false });
      });
    drives.add(drive);
  };
  // Reads of the stored run catch up with events that arrived out of order.
  const refresh = async () => state.apply({ type: "run", run: await service.loadRun(runId) });
  return {
    runId,
    current: () => state.value,
    subscribe: (listener) => state.subscribe(listener),
    async refresh() {
      await refresh();
      return state.value;
    },
    async act(request) {
      const outcome = await actOnRun(
        service,
        runId,
        { ...request, basedOn: request.basedOn ?? state.value.run.version } as RunActionRequest,
        { actor: options.actor },
      );
      if (outcome.run.runId === runId) state.apply({ type: "run", run: outcome.run });
      const target = outcome.run.runId;
      if (options.drive === false) {
        const run = outcome.later ? await outcome.later() : outcome.run;
        if (target === runId) await refresh();
        return { session: state.value, run };
      }
      if (outcome.later) background(outcome.later);
      else if (outcome.goOn) {
        background(() =>
          service.advance(target, {
            autoSelect: outcome.autoSelect,
            acceptInvalid: outcome.acceptInvalid,
          })
        );
      }
      if (target === runId) await refresh();
      return { session: state.value, run: outcome.run };
    },
    async close() {
      stop();
      await Promise.allSettled([...drives]);
    },
  };
}
