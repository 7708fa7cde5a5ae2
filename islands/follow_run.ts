/**
 * Connects a run view's live state to the server: loads the event history
 * for the timeline, opens the run's WebSocket (client/RunSocket, which
 * reconnects after a server restart and resumes from the last sequence),
 * feeds it every frame, re-reads the run (debounced) after an event it could
 * not fold and after driving changes, and turns server-side problems into a failure to show.
 * Returns the function that disconnects.
 */
import type { Signal } from "@preact/signals";
import type { WriteItClient } from "../client/mod.ts";
import type { FailureView } from "./dashboard_client.ts";
import type { RunLiveState } from "./run_live_state.ts";

/** Options of `followRun`. */
export interface FollowRunOptions {
  runId: string;
  /** Sequence the page already shows (events after it are replayed). */
  since: number;
  /** Where to put problems the server reports outside any action. */
  failure: Signal<FailureView | undefined>;
}

/** Follows the run until the returned function is called. */
export function followRun(
  client: WriteItClient,
  live: RunLiveState,
  options: FollowRunOptions,
): () => void {
  let refetch: ReturnType<typeof setTimeout> | undefined;
  const reread = () => {
    if (refetch !== undefined) return;
    refetch = setTimeout(async () => {
      refetch = undefined;
      try {
        live.acceptRun(await client.getRun(options.runId));
      } catch {
        // The socket's next hello brings the state back; nothing is lost.
      }
    }, 60);
  };
  client.events(options.runId).then((page) => live.addEvents(page.events)).catch(() => {});
  const socket = client.watch(options.runId, { since: options.since });
  socket.on("state", (state) => (live.connection.value = state));
  socket.on("hello", (hello) => {
    live.acceptRun(hello.run);
    live.setDriving(hello.driving);
  });
  socket.on("event", (event) => {
    // Folded into the run; what others decided becomes a notice (the session's rule). Only an
    // event that could not be folded (one before it is missing) needs the run read again.
    live.addEvents([event]);
    if (live.run.value.version < event.sequence) reread();
  });
  socket.on("chunk", (chunk) => live.chunk(chunk));
  socket.on("chunk_reset", (reset) => live.chunkReset(reset));
  socket.on("notice", (notice) => live.notice(notice.message));
  socket.on("driving", (frame) => {
    live.setDriving(frame.driving);
    if (frame.error) {
      options.failure.value = {
        title: "Generation stopped",
        detail: frame.error.detail || frame.error.title,
        status: frame.error.status,
        code: frame.error.code,
        issues: [],
      };
    }
    reread();
  });
  socket.on("error", (frame) => {
    options.failure.value = {
      title: "The server reported a problem",
      detail: frame.problem.detail,
      status: frame.problem.status,
      code: frame.problem.code,
      issues: [],
    };
  });
  live.connection.value = socket.state;
  return () => {
    if (refetch !== undefined) clearTimeout(refetch);
    socket.close();
  };
}
