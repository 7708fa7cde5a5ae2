/**
 * The run session port (engine/run_session_port.ts) over a WriteIt server:
 * the run is read over REST, followed over its WebSocket (hello, events,
 * chunks, notices, driving), and actions go to the REST routes with the
 * version they were decided on. The server drives the run on after them.
 *
 * @example
 * ```ts
 * const session = await openRemoteSession(new WriteItClient({ baseUrl, client: "tui" }), runId);
 * session.subscribe((view) => draw(view));
 * await session.act({ action: "select", stepId: "plan", index: 0 });
 * ```
 */
import type { RunActionRequest } from "../engine/run_actions.ts";
import { openSession } from "../engine/run_session.ts";
import { type RunSessionPort, SessionState } from "../engine/run_session_port.ts";
import type { RunResult } from "./api_types.ts";
import type { WriteItClient } from "./writeit_client.ts";

/** A session on `runId` through `client`; its name (`client.clientName`) is the session's actor. */
export async function openRemoteSession(
  client: WriteItClient,
  runId: string,
): Promise<RunSessionPort> {
  const run = await client.getRun(runId);
  const state = new SessionState(openSession(run, { self: client.clientName }));
  const socket = client.watch(runId, { since: run.version });
  socket.on(
    "hello",
    (hello) => state.apply({ type: "run", run: hello.run, driving: hello.driving }),
  );
  socket.on("event", (event) => state.apply({ type: "event", event }));
  socket.on("chunk", (chunk) => state.apply(chunk));
  socket.on("chunk_reset", (reset) => state.apply(reset));
  socket.on("notice", (notice) => state.apply({ type: "notice", message: notice.message }));
  socket.on("driving", (frame) => {
    state.apply({ type: "driving", driving: frame.driving });
    if (!frame.driving) {
      client.getRun(runId).then((latest) => state.apply({ type: "run", run: latest })).catch(
        () => {},
      );
    }
  });
  return {
    runId,
    current: () => state.value,
    subscribe: (listener) => state.subscribe(listener),
    async refresh() {
      state.apply({ type: "run", run: await client.getRun(runId) });
      return state.value;
    },
    async act(request) {
      const basedOn = request.basedOn ?? state.value.run.version;
      const result = await send(client, runId, { ...request, basedOn } as RunActionRequest);
      if (result.run.runId === runId) {
        state.apply({ type: "run", run: result.run, driving: result.driving });
      }
      return { session: state.value, run: result.run };
    },
    async close() {
      await socket.close();
    },
  };
}

/** One action as its REST call. */
function send(client: WriteItClient, runId: string, request: RunActionRequest): Promise<RunResult> {
  const { basedOn } = request;
  switch (request.action) {
    case "start":
      return client.startRun(runId, {
        autoSelect: request.autoSelect,
        acceptInvalid: request.acceptInvalid,
      });
    case "select":
      return client.select(runId, request.stepId, request.index ?? request.responseId!, {
        basedOn,
      });
    case "merge":
      return client.merge(runId, request.stepId, request.responseIds, {
        instructions: request.instructions,
        model: request.model,
        basedOn,
      });
    case "edit":
      return client.edit(runId, request.stepId, request.text, { basedOn });
    case "feedback":
      return client.feedback(runId, request.stepId, request.text, {
        regenerate: request.regenerate,
        basedOn,
      });
    case "regenerate":
      return client.regenerate(runId, request.stepId, { basedOn });
    case "skip":
      return client.skip(runId, request.stepId, { reason: request.reason, basedOn });
    case "rate":
      return client.rate(runId, request.stepId, request.responseId, {
        rating: request.rating,
        note: request.note,
        basedOn,
      });
    case "branch":
      return client.branch(runId, request.fromStepId, { start: request.start, basedOn });
    case "rewind":
      return client.rewind(runId, request.toStepId, { basedOn });
    case "pause":
      return client.pause(runId, { reason: request.reason, basedOn });
    case "resume":
      return client.resume(runId, { model: request.model, basedOn });
    case "cancel":
      return client.cancel(runId, { reason: request.reason, basedOn });
  }
}
