/**
 * `WS /ws/{runId}[?workspace=W&since=N]`: a live view of one run through
 * `Deno.upgradeWebSocket`. On connect the client gets `hello` with the run's
 * state and sequence number; with `since=N` it then gets every event after N
 * it missed, so a reconnecting client loses nothing; after that every event
 * (in sequence order, never twice), every streamed chunk, notices, and
 * `driving` changes. Clients send actions (`{ id, action, … }`: select,
 * feedback, regenerate, edit, skip, pause, resume, cancel, start, ping) and
 * get an `ack` with the run or an `error` with a problem document; a bad
 * message never closes the socket. Authentication: the bearer token in the
 * Authorization header or as the subprotocol `bearer.<token>`.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { NotFoundError, ValidationError } from "../engine/errors.ts";
import { MAX_RUN_ID_LENGTH } from "./api/runs.ts";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { RunUpdate } from "../engine/run_update.ts";
import type { WorkspaceHub, WorkspaceRuntime } from "../server/workspace_hub.ts";
import {
  ACTION_BODIES,
  isSocketAction,
  MAX_MESSAGE_ID_LENGTH,
  type ServerFrame,
  SOCKET_ACTIONS,
} from "../protocol/mod.ts";
import { clientActor, performAction } from "./api/run_actions.ts";
import { parseBody } from "./api/request_body.ts";
import { problemFor } from "../server/problem.ts";
import { bearerToken, TOKEN_COOKIE, tokenMatches } from "./token_check.ts";
import { getCookie } from "hono/cookie";

/** Largest client message accepted. */
export const MAX_SOCKET_MESSAGE_BYTES = 256 * 1024;

/** Messages a socket may queue unsent before it is considered stuck and closed. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** What the WebSocket handler needs. */
export interface RunSocketOptions {
  hub: WorkspaceHub;
  token?: string;
  /** Told when sockets open and close, and of every message sent (metrics). */
  onOpen?: () => void;
  onClose?: () => void;
  onSend?: (type: string) => void;
  onReceive?: (action: string) => void;
  /** Open sockets, so a shutdown can close them (1001) before the server stops. */
  openSockets?: Set<WebSocket>;
}

/**
 * Serialized frames by the update or event they carry: every subscriber of a
 * run gets the same objects, so a chunk is serialized once however many
 * sockets watch it.
 */
const frames = new WeakMap<object, string>();

function frameOf(source: object, build: () => ServerFrame): string {
  let frame = frames.get(source);
  if (frame === undefined) {
    frame = JSON.stringify(build());
    frames.set(source, frame);
  }
  return frame;
}

/** The Hono handler of `/ws/:runId`. */
export function runSocketHandler(options: RunSocketOptions) {
  return async function runSocket(context: Context): Promise<Response> {
    if (context.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HTTPException(426, {
        message: "This path speaks WebSocket: connect with a WebSocket client",
      });
    }
    const protocols = (context.req.header("sec-websocket-protocol") ?? "").split(",").map((
      part,
    ) => part.trim()).filter(Boolean);
    const protocol = protocols.includes("writeit") ? "writeit" : undefined;
    let runtime: WorkspaceRuntime;
    let runId: string;
    let since: number | undefined;
    try {
      if (options.token) {
        const fromHeader = bearerToken(context.req.header("authorization"));
        const fromProtocol = protocols.find((item) => /^bearer\./i.test(item))?.slice(7);
        // The dashboard's sign-in cookie: sent only by pages of this server (SameSite=Strict,
        // and a foreign Origin is refused before this).
        const fromCookie = getCookie(context, TOKEN_COOKIE);
        if (!tokenMatches(fromHeader ?? fromProtocol ?? fromCookie, options.token)) {
          throw new HTTPException(401, {
            message:
              "A valid bearer token is required: send it as Authorization: Bearer <token> or as the subprotocol bearer.<token>",
          });
        }
      }
      runId = context.req.param("runId") ?? "";
      if (runId.length > MAX_RUN_ID_LENGTH) {
        throw new NotFoundError(
          `No run "${runId.slice(0, 40)}…": run ids are at most ${MAX_RUN_ID_LENGTH} characters`,
        );
      }
      runtime = await options.hub.open(context.req.query("workspace") || undefined);
      const sinceText = context.req.query("since");
      since = sinceText === undefined ? undefined : Number(sinceText);
      if (since !== undefined && (!Number.isInteger(since) || since < 0)) {
        throw new ValidationError(
          `Query parameter "since" must be a whole number, got "${sinceText}"`,
        );
      }
      await runtime.store.loadRun(runId);
    } catch (error) {
      return refuse(context.req.raw, protocol, error);
    }
    const { socket, response } = Deno.upgradeWebSocket(context.req.raw, {
      protocol,
      idleTimeout: 60,
    });
    attach(socket, runtime, runId, since, options, clientActor(context.req.query("client")));
    return response;
  };
}

/**
 * Refuses a socket in a way browsers can read: a plain HTTP error reaches a
 * browser's WebSocket only as code 1006, indistinguishable from a network
 * failure (so clients would retry forever). The socket is accepted, told the
 * problem in an `error` frame, and closed with 4000 + the HTTP status
 * (4401 no token, 4404 unknown run or workspace, 4422 a bad query); clients
 * do not reconnect after 44xx codes.
 */
function refuse(request: Request, protocol: string | undefined, error: unknown): Response {
  const problem = problemFor(error);
  const { socket, response } = Deno.upgradeWebSocket(request, { protocol });
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "error", problem } satisfies ServerFrame));
    socket.close(4000 + Math.min(problem.status, 999), problem.title.slice(0, 100));
  };
  socket.onerror = () => {};
  return response;
}

function attach(
  socket: WebSocket,
  runtime: WorkspaceRuntime,
  runId: string,
  since: number | undefined,
  options: RunSocketOptions,
  actor: string,
): void {
  let lastSent = 0;
  let ready = false;
  const early: RunUpdate[] = [];
  const sendText = (type: string, text: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, "The client reads too slowly");
      return;
    }
    socket.send(text);
    options.onSend?.(type);
  };
  const send = (frame: ServerFrame) => sendText(frame.type, JSON.stringify(frame));
  const sendEvent = (event: EventEnvelope) => {
    if (event.sequence <= lastSent) return;
    lastSent = event.sequence;
    sendText("event", frameOf(event, () => ({ type: "event", event })));
  };
  const deliver = (update: RunUpdate) => {
    if (update.runId !== runId) return;
    if (update.type === "event") return sendEvent(update.event);
    sendText(
      update.type,
      frameOf(update, () => {
        const { runId: _runId, ...rest } = update;
        return rest;
      }),
    );
  };
  const unsubscribe = runtime.service.subscribe(runId, (update) => {
    if (ready) deliver(update);
    else early.push(update);
  });
  const stopDriving = runtime.driver.onChange((change) => {
    if (change.runId !== runId) return;
    send({
      type: "driving",
      driving: change.driving,
      ...(change.error ? { error: problemFor(change.error) } : {}),
    });
  });

  socket.onopen = async () => {
    options.openSockets?.add(socket);
    options.onOpen?.();
    try {
      const run = await runtime.store.loadRun(runId);
      send({
        type: "hello",
        runId,
        workspace: runtime.name,
        sequence: run.version,
        run,
        driving: runtime.driver.isDriving(runId),
      });
      if (since !== undefined && since < run.version) {
        for (const event of await runtime.store.read(runId, { fromSequence: since + 1 })) {
          sendEvent(event);
        }
      } else {
        lastSent = run.version;
      }
      ready = true;
      for (const update of early.splice(0)) deliver(update);
    } catch (error) {
      send({ type: "error", problem: problemFor(error) });
      socket.close(1011, "The run could not be loaded");
    }
  };
  socket.onmessage = (message) => {
    void handleMessage(message.data).catch((error) => {
      send({ type: "error", problem: problemFor(error) });
    });
  };
  socket.onclose = () => {
    options.openSockets?.delete(socket);
    unsubscribe();
    stopDriving();
    options.onClose?.();
  };
  socket.onerror = () => {};

  async function handleMessage(data: unknown): Promise<void> {
    if (typeof data !== "string") {
      throw new ValidationError("Send text frames holding JSON, not binary ones");
    }
    if (data.length > MAX_SOCKET_MESSAGE_BYTES) {
      throw new ValidationError(
        `The message is ${data.length} bytes long: send at most ${MAX_SOCKET_MESSAGE_BYTES}`,
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (error) {
      throw new ValidationError(`The message is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      throw new ValidationError('A message is a JSON object: { "id": "…", "action": "…" }');
    }
    const { id, action, ...fields } = message as Record<string, unknown>;
    const reply = typeof id === "string" && id.length <= MAX_MESSAGE_ID_LENGTH ? id : undefined;
    options.onReceive?.(typeof action === "string" ? action : "invalid");
    try {
      if (action === "ping") return send({ type: "ack", id: reply, action });
      if (typeof action !== "string" || !isSocketAction(action)) {
        throw new ValidationError(
          `Unknown action ${JSON.stringify(action)}: send one of ${
            SOCKET_ACTIONS.join(", ")
          } or ping`,
        );
      }
      const body = parseBody(ACTION_BODIES[action], fields, `"${action}" message`);
      const result = await performAction(runtime, runId, action, body, actor);
      send({ type: "ack", id: reply, action, run: result.run, driving: result.driving });
    } catch (error) {
      send({ type: "error", id: reply, problem: problemFor(error) });
    }
  }
}
