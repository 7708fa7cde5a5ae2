/**
 * RunSocket against a local WebSocket server (Deno.serve on port 0 +
 * Deno.upgradeWebSocket) that speaks the run socket's frames: hello, replay
 * from `since`, live events, chunks, acks and error frames. The server can
 * drop connections, replay with an overlap, or leave a hole, to prove the
 * client never delivers an event twice and never skips one.
 */
import assert from "node:assert/strict";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { WriteItApiError } from "./api_error.ts";
import { reconnectDelay, RunSocket, type RunSocketState } from "./run_socket.ts";

interface Connection {
  socket: WebSocket;
  since?: number;
  workspace?: string;
  protocols: string[];
}

function event(sequence: number): EventEnvelope {
  return {
    id: `e${sequence}`,
    runId: "run-1",
    sequence,
    schemaVersion: 1,
    time: new Date(0).toISOString(),
    metadata: { correlationId: "c" },
    type: "run_paused",
    data: { reason: `event ${sequence}` },
  } as EventEnvelope;
}

/** A run socket server holding one run's event log. */
class FakeRunServer {
  readonly connections: Connection[] = [];
  readonly messages: Record<string, unknown>[] = [];
  events: EventEnvelope[] = [];
  /** Replay this many already-seen events again on reconnect (a sloppy server). */
  replayOverlap = 0;
  /** Leave out this sequence once, on the first connection's live stream. */
  holeAt?: number;
  token?: string;
  /** Close codes to use when refusing the next connections right after open. */
  refuseWith: number[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (request) => this.#handle(request),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  get open(): Connection[] {
    return this.connections.filter((connection) => connection.socket.readyState === WebSocket.OPEN);
  }

  #handle(request: Request): Response {
    const url = new URL(request.url);
    const protocols = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((
      part,
    ) => part.trim()).filter(Boolean);
    if (this.token && !protocols.includes(`bearer.${this.token}`)) {
      return new Response("unauthorized", { status: 401 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "writeit" });
    const since = url.searchParams.get("since");
    const connection: Connection = {
      socket,
      since: since === null ? undefined : Number(since),
      workspace: url.searchParams.get("workspace") ?? undefined,
      protocols,
    };
    this.connections.push(connection);
    socket.onopen = () => {
      const refusal = this.refuseWith.shift();
      if (refusal !== undefined) return socket.close(refusal, "refused");
      const sequence = this.events.length;
      this.#send(socket, {
        type: "hello",
        runId: "run-1",
        workspace: connection.workspace ?? "default",
        sequence,
        run: { runId: "run-1", version: sequence },
        driving: true,
      });
      if (connection.since !== undefined) {
        const from = Math.max(0, connection.since - this.replayOverlap);
        for (const stored of this.events.slice(from)) {
          this.#send(socket, { type: "event", event: stored });
        }
      }
    };
    socket.onmessage = (message) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(message.data);
      } catch {
        return this.#send(socket, {
          type: "error",
          problem: {
            type: "t",
            title: "bad json",
            status: 400,
            detail: "Malformed JSON",
            code: "bad_json",
          },
        });
      }
      this.messages.push(body);
      if (body.action === "ping" || body.action === "select") {
        this.#send(socket, { type: "ack", id: body.id, action: body.action, driving: false });
      } else if (body.action === "cancel") {
        this.#send(socket, {
          type: "error",
          id: body.id,
          problem: {
            type: "t",
            title: "invalid command",
            status: 409,
            detail: "Run run-1 is completed: it cannot be cancelled",
            code: "run_finished",
          },
        });
      } // "skip" gets no answer: a test drops the connection before it would come
    };
    socket.onerror = () => {};
    return response;
  }

  #send(socket: WebSocket, frame: unknown): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  /** Stores events and sends them live to every open connection. */
  append(count: number): void {
    for (let index = 0; index < count; index++) {
      const stored = event(this.events.length + 1);
      this.events.push(stored);
      for (const connection of this.open) {
        if (this.holeAt === stored.sequence && connection === this.connections[0]) continue;
        this.#send(connection.socket, { type: "event", event: stored });
      }
    }
  }

  /** Sends any frame to every open connection. */
  broadcast(frame: unknown): void {
    for (const connection of this.open) this.#send(connection.socket, frame);
  }

  /** Closes every connection from the server side. */
  dropAll(code = 1012): void {
    for (const connection of this.open) connection.socket.close(code, "restarting");
  }

  async shutdown(): Promise<void> {
    for (const connection of this.open) connection.socket.close(1001, "bye");
    await this.#server.shutdown();
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const FAST = { initialDelayMs: 10, maxDelayMs: 40 };

Deno.test("RunSocket delivers hello, events, chunks and notices, offering writeit + bearer.<token>", async () => {
  const server = new FakeRunServer();
  server.token = "tok-1";
  server.append(2);
  const socket = new RunSocket({
    baseUrl: server.url,
    runId: "run-1",
    workspace: "team",
    token: "tok-1",
    reconnect: FAST,
  });
  const seen: string[] = [];
  const states: RunSocketState[] = [];
  socket.on("state", (state) => states.push(state));
  socket.on("hello", (hello) => seen.push(`hello ${hello.sequence}`));
  socket.on("event", (stored) => seen.push(`event ${stored.sequence}`));
  socket.on("chunk", (chunk) => seen.push(`chunk ${chunk.text}`));
  socket.on("notice", (notice) => seen.push(`notice ${notice.message}`));
  socket.on("driving", (frame) => seen.push(`driving ${frame.driving}`));
  try {
    await waitFor(() => socket.state === "open", "the hello");
    assert.equal(socket.lastSequence, 2, "without since, the hello's sequence is the start");
    assert.equal(socket.caughtUp, true);
    assert.equal(socket.run?.version, 2);
    assert.deepEqual(server.connections[0].protocols, ["writeit", "bearer.tok-1"]);
    assert.equal(server.connections[0].workspace, "team");
    assert.equal(server.connections[0].since, undefined);
    server.append(1);
    server.broadcast({
      type: "chunk",
      stepId: "outline",
      generation: 0,
      model: "offline",
      candidateIndex: 0,
      text: "Hel",
    });
    server.broadcast({ type: "notice", message: "falling back" });
    server.broadcast({ type: "driving", driving: false });
    server.broadcast({ type: "nonsense" });
    await waitFor(() => seen.length === 5, "five frames");
    assert.deepEqual(seen, [
      "hello 2",
      "event 3",
      "chunk Hel",
      "notice falling back",
      "driving false",
    ]);
    assert.equal(socket.driving, false);
  } finally {
    const close = await socket.close();
    await server.shutdown();
    assert.equal(close.requested, true);
    assert.deepEqual(states, ["open", "closed"]);
  }
});

Deno.test("RunSocket replays from `since` when given one", async () => {
  const server = new FakeRunServer();
  server.append(4);
  const socket = new RunSocket({ baseUrl: server.url, runId: "run-1", since: 1, reconnect: FAST });
  const sequences: number[] = [];
  socket.on("event", (stored) => sequences.push(stored.sequence));
  try {
    await waitFor(() => sequences.length === 3, "the replay");
    assert.equal(server.connections[0].since, 1);
    assert.deepEqual(sequences, [2, 3, 4]);
    assert.equal(socket.caughtUp, true);
  } finally {
    await socket.close();
    await server.shutdown();
  }
});

Deno.test("RunSocket.send() resolves with the matching ack and rejects with WriteItApiError on an error frame", async () => {
  const server = new FakeRunServer();
  const socket = new RunSocket({ baseUrl: server.url, runId: "run-1", reconnect: FAST });
  const unsolicited: string[] = [];
  socket.on("error", (frame) => unsolicited.push(frame.problem.code));
  try {
    // Sent before the connection is open: queued, then sent.
    const [ping, select] = await Promise.all([
      socket.ping(),
      socket.send({ action: "select", stepId: "outline", index: 1 }),
    ]);
    assert.equal(ping.action, "ping");
    assert.equal(select.action, "select");
    assert.notEqual(ping.id, select.id);
    assert.deepEqual(server.messages[1], {
      action: "select",
      stepId: "outline",
      index: 1,
      id: select.id,
    });
    const refused = await socket.send({ action: "cancel", id: "mine" }).catch((error) => error);
    assert.ok(refused instanceof WriteItApiError);
    assert.equal(refused.status, 409);
    assert.equal(refused.code, "run_finished");
    assert.match(refused.message, /cannot be cancelled/);
    server.open[0].socket.send("{not json"); // a malformed frame from the server is ignored
    server.broadcast({
      type: "error",
      problem: { type: "t", title: "x", status: 400, detail: "Malformed JSON", code: "bad_json" },
    });
    await waitFor(() => unsolicited.length === 1, "the unsolicited error");
    assert.deepEqual(unsolicited, ["bad_json"]);
  } finally {
    await socket.close();
    await server.shutdown();
  }
});

Deno.test("RunSocket reconnects after drops and resumes with since=<last sequence>: no event twice, none skipped", async () => {
  const server = new FakeRunServer();
  server.replayOverlap = 2; // a sloppy server re-sends two events we already have
  server.append(3);
  const socket = new RunSocket({
    baseUrl: server.url,
    runId: "run-1",
    since: 0,
    reconnect: FAST,
    random: () => 0.5,
  });
  const sequences: number[] = [];
  const closes: boolean[] = [];
  socket.on("event", (stored) => sequences.push(stored.sequence));
  socket.on("close", (close) => closes.push(close.reconnecting));
  try {
    await waitFor(() => sequences.length === 3, "the first replay");
    server.append(2);
    await waitFor(() => sequences.length === 5, "live events");
    server.dropAll();
    server.append(3); // appended while the client is away
    await waitFor(() => server.open.length === 1 && sequences.length === 8, "the resumed stream");
    assert.equal(server.connections[1].since, 5);
    server.append(1);
    server.dropAll(1001);
    await waitFor(
      () => server.connections.length === 3 && sequences.length === 9,
      "a second resume",
    );
    assert.equal(server.connections[2].since, 9);
    server.append(2);
    await waitFor(() => sequences.length === 11, "live after the second resume");
    assert.deepEqual(sequences, Array.from({ length: 11 }, (_, index) => index + 1));
    assert.deepEqual(closes, [true, true]);
    assert.equal(socket.state, "open");
  } finally {
    await socket.close();
    await server.shutdown();
  }
});

Deno.test("RunSocket resyncs when the stream has a hole instead of skipping an event", async () => {
  const server = new FakeRunServer();
  server.holeAt = 3;
  const socket = new RunSocket({ baseUrl: server.url, runId: "run-1", since: 0, reconnect: FAST });
  const sequences: number[] = [];
  socket.on("event", (stored) => sequences.push(stored.sequence));
  try {
    await waitFor(() => socket.state === "open", "the hello");
    server.append(5); // the first connection gets 1, 2, 4, 5
    await waitFor(() => sequences.length === 5, "the repaired stream");
    assert.deepEqual(sequences, [1, 2, 3, 4, 5]);
    assert.equal(server.connections[1].since, 2);
  } finally {
    await socket.close();
    await server.shutdown();
  }
});

Deno.test("RunSocket rejects an action whose connection drops before the ack", async () => {
  const server = new FakeRunServer();
  const socket = new RunSocket({ baseUrl: server.url, runId: "run-1", reconnect: FAST });
  try {
    await waitFor(() => socket.state === "open", "the hello");
    const pending = socket.send({ action: "skip", stepId: "draft" });
    await waitFor(() => server.messages.length === 1, "the skip to arrive");
    server.dropAll();
    const error = await pending.catch((error) => error);
    assert.equal(error.code, "socket_closed");
    assert.match(error.message, /may or may not have been applied/);
    await waitFor(() => socket.state === "open", "the reconnection");
    assert.equal((await socket.ping()).action, "ping");
  } finally {
    await socket.close();
    await server.shutdown();
  }
  await assert.rejects(socket.ping(), /closed socket/);
});

Deno.test("RunSocket stops on a permanent close code and after maxAttempts refusals", async () => {
  const server = new FakeRunServer();
  server.refuseWith = [4401];
  const permanent = new RunSocket({ baseUrl: server.url, runId: "run-1", reconnect: FAST });
  const close = await permanent.closed;
  assert.deepEqual(close, { code: 4401, reason: "refused", requested: false, reconnecting: false });
  assert.equal(permanent.state, "closed");

  server.refuseWith = [1011, 1011, 1011];
  const limited = new RunSocket({
    baseUrl: server.url,
    runId: "run-1",
    reconnect: { ...FAST, maxAttempts: 2 },
  });
  const gaveUp = await limited.closed;
  assert.equal(gaveUp.code, 1011);
  assert.equal(gaveUp.reconnecting, false);
  assert.equal(server.connections.length, 1 + 3, "the first try and two retries");
  await server.shutdown();
});

Deno.test("RunSocket gives up on a server that is not there when reconnect is off", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const socket = new RunSocket({
    baseUrl: `http://127.0.0.1:${port}`,
    runId: "r",
    reconnect: false,
  });
  const pending = socket.ping().catch((error) => error);
  const close = await socket.closed;
  assert.equal(close.reconnecting, false);
  assert.equal((await pending).code, "socket_closed");
});

Deno.test("reconnectDelay() grows by the factor, caps at maxDelayMs and jitters to 50-100 %", () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((attempt) => reconnectDelay(attempt, options, () => 0.999999)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.deepEqual(
    [0, 1, 4].map((attempt) => reconnectDelay(attempt, options, () => 0)),
    [50, 100, 500],
  );
  assert.equal(reconnectDelay(0, {}, () => 0.5), 188);
});
