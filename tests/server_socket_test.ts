/**
 * The server over real sockets on port 0, with raw `fetch` and `WebSocket`
 * clients (the typed client has its own tests): REST actions driving a run
 * of the bundled quick-article pipeline on the offline model, several
 * WebSocket subscribers of one streaming run, reconnect with `since`,
 * actions and hostile messages over the socket, the token on sockets, and a
 * graceful shutdown that leaves the run resumable.
 */
import assert from "node:assert/strict";
import { serve } from "../serve.ts";
import { temporaryHome } from "./cli_harness.ts";

type Message = Record<string, unknown> & { type: string };

/** A raw WebSocket that records every frame. */
class Recorder {
  readonly messages: Message[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];

  constructor(url: string, protocols?: string[]) {
    this.socket = new WebSocket(url, protocols);
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = (event) =>
        reject(new Error(`WebSocket error: ${(event as ErrorEvent).message}`));
    });
    this.closed = new Promise((resolve) => (this.socket.onclose = resolve));
    this.socket.onmessage = (event) => {
      this.messages.push(JSON.parse(event.data));
      for (const wake of this.#waiters.splice(0)) wake();
    };
  }

  /** Waits until a message matches (default 20 s). */
  async waitFor(predicate: (message: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `No matching message in ${timeoutMs} ms; got ${
            this.messages.map((message) =>
              message.type + ":" + ((message.event as Message)?.type ?? "")
            ).slice(-12).join(", ")
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 200));
      });
      clearTimeout(timer);
    }
  }

  /** Sequences of the event frames received, in order. */
  sequences(): number[] {
    return this.messages.filter((message) => message.type === "event").map((message) =>
      (message.event as { sequence: number }).sequence
    );
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

async function withServer(
  test: (server: Awaited<ReturnType<typeof serve>>) => Promise<void>,
  options: { token?: string; env?: Record<string, string> } = {},
): Promise<void> {
  await using home = await temporaryHome();
  const server = await serve({
    home: home.path,
    port: 0,
    token: options.token,
    env: options.env ?? {},
    log: () => {},
  });
  try {
    await test(server);
  } finally {
    await server.shutdown();
  }
}

async function call(
  server: { url: string },
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> & { run?: Run } }> {
  const response = await fetch(server.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

interface Run {
  runId: string;
  status: string;
  version: number;
  steps: Record<
    string,
    { status: string; generation: number; responses: unknown[]; feedback: unknown[] }
  >;
}

async function waitForRun(
  server: { url: string },
  runId: string,
  predicate: (run: Run) => boolean,
): Promise<Run> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { body } = await call(server, `/api/runs/${runId}`);
    if (predicate(body.run!)) return body.run!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Run ${runId} never reached the expected state`);
}

const CREATE = {
  pipeline: "quick-article",
  inputs: { topic: "Event sourcing for writing tools" },
  model: "offline",
};

Deno.test("REST actions steer a run: start, feedback and regenerate, select, branch, pause, resume, cancel", async () => {
  await withServer(async (server) => {
    const created = await call(server, "/api/runs", CREATE);
    assert.equal(created.status, 201);
    const runId = created.body.run!.runId;
    const started = await call(server, `/api/runs/${runId}/execute`, {});
    assert.equal(started.status, 202);
    assert.equal(started.body.driving, true);
    await waitForRun(server, runId, (run) => run.steps.plan.status === "awaiting_selection");

    const feedback = await call(server, `/api/runs/${runId}/feedback`, {
      stepId: "plan",
      text: "Shorter, with a concrete example",
    });
    assert.equal(feedback.status, 202, JSON.stringify(feedback.body));
    const regenerated = await waitForRun(
      server,
      runId,
      (run) => run.steps.plan.generation === 1 && run.steps.plan.status === "awaiting_selection",
    );
    assert.equal(regenerated.steps.plan.feedback.length, 1);

    const selected = await call(server, `/api/runs/${runId}/select`, { stepId: "plan", index: 0 });
    assert.equal(selected.status, 202);
    await waitForRun(server, runId, (run) => run.steps.write.status === "awaiting_selection");

    const branch = await call(server, `/api/runs/${runId}/branch`, { fromStepId: "write" });
    assert.equal(branch.status, 201);
    assert.notEqual(branch.body.run!.runId, runId);
    const branches = await call(server, `/api/runs/${runId}/branches`);
    assert.deepEqual(
      (branches.body.branches as { runId: string }[]).map((child) => child.runId),
      [branch.body.run!.runId],
    );

    const paused = await call(server, `/api/runs/${runId}/pause`, { reason: "lunch" });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.run!.status, "paused");
    const resumed = await call(server, `/api/runs/${runId}/resume`, {});
    assert.equal(resumed.body.run!.status, "running");
    const cancelled = await call(server, `/api/runs/${runId}/cancel`, {});
    assert.equal(cancelled.body.run!.status, "cancelled");
    const again = await call(server, `/api/runs/${runId}/select`, { stepId: "write", index: 0 });
    assert.equal(again.status, 409, JSON.stringify(again.body));

    const bad = await call(server, `/api/runs/${runId}/select`, { stepId: "plan" });
    assert.equal(bad.status, 422);
    assert.match(String(bad.body.detail), /exactly one of "index" \(0-based\) or "responseId"/);
    const unknownField = await call(server, `/api/runs/${runId}/select`, {
      stepId: "plan",
      index: 0,
      extra: 1,
    });
    assert.equal(unknownField.status, 422);
    const missing = await call(server, `/api/runs/nope/select`, { stepId: "plan", index: 0 });
    assert.equal(missing.status, 404);
  });
});

Deno.test("WebSocket subscribers all see one streaming run's events in order, once, with its chunks", async () => {
  await withServer(async (server) => {
    const created = await call(server, "/api/runs", CREATE);
    const runId = created.body.run!.runId;
    const base = server.url.replace(/^http/, "ws");
    const sockets = Array.from({ length: 5 }, () => new Recorder(`${base}/ws/${runId}`));
    await Promise.all(sockets.map((socket) => socket.opened));
    await Promise.all(
      sockets.map((socket) => socket.waitFor((message) => message.type === "hello")),
    );
    await call(server, `/api/runs/${runId}/start`, { autoSelect: true });
    for (const socket of sockets) {
      await socket.waitFor((message) => message.type === "driving" && message.driving === false);
    }
    const final = (await call(server, `/api/runs/${runId}`)).body.run!;
    const expected = Array.from({ length: final.version - 1 }, (_, index) => index + 2);
    for (const socket of sockets) {
      assert.deepEqual(socket.sequences(), expected, "every event after hello, once, in order");
      const chunks = socket.messages.filter((message) => message.type === "chunk");
      assert.ok(chunks.length > 10, `chunks streamed: ${chunks.length}`);
    }
    await Promise.all(sockets.map((socket) => socket.close()));
  }, { env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "2" } });
});

Deno.test("WebSocket reconnect with since= replays exactly the missed events", async () => {
  await withServer(async (server) => {
    const created = await call(server, "/api/runs", { ...CREATE, autoSelect: true });
    const runId = created.body.run!.runId;
    const base = server.url.replace(/^http/, "ws");
    const first = new Recorder(`${base}/ws/${runId}`);
    await first.waitFor((message) => message.type === "hello");
    await call(server, `/api/runs/${runId}/start`, {});
    await first.waitFor((message) =>
      message.type === "event" && (message.event as Message).type === "step_completed"
    );
    await first.close();
    const seen = first.sequences();
    const last = seen.at(-1)!;
    await waitForRun(server, runId, (run) => run.status === "completed");

    const second = new Recorder(`${base}/ws/${runId}?since=${last}`);
    const hello = await second.waitFor((message) => message.type === "hello");
    const total = hello.sequence as number;
    await second.waitFor((message) =>
      message.type === "event" && (message.event as { sequence: number }).sequence === total
    );
    assert.deepEqual(
      [...seen, ...second.sequences()],
      Array.from({ length: total - 1 }, (_, i) => i + 2),
    );
    await second.close();
  });
});

Deno.test("WebSocket actions are acknowledged; bad messages get error frames and the socket stays open", async () => {
  await withServer(async (server) => {
    const created = await call(server, "/api/runs", CREATE);
    const runId = created.body.run!.runId;
    const socket = new Recorder(`${server.url.replace(/^http/, "ws")}/ws/${runId}`);
    await socket.waitFor((message) => message.type === "hello");
    socket.socket.send("{not json");
    await socket.waitFor((message) =>
      message.type === "error" && /not valid JSON/.test(String((message.problem as Message).detail))
    );
    socket.socket.send(JSON.stringify({ id: "a", action: "explode" }));
    await socket.waitFor((message) => message.type === "error" && message.id === "a");
    socket.socket.send(JSON.stringify([1, 2]));
    socket.socket.send("x".repeat(300 * 1024));
    await socket.waitFor((message) =>
      message.type === "error" && /at most 262144/.test(String((message.problem as Message).detail))
    );
    socket.socket.send(JSON.stringify({ id: "p", action: "ping" }));
    await socket.waitFor((message) => message.type === "ack" && message.id === "p");

    socket.socket.send(JSON.stringify({ id: "s", action: "start" }));
    await socket.waitFor((message) => message.type === "ack" && message.id === "s");
    await waitForRun(server, runId, (run) => run.steps.plan.status === "awaiting_selection");
    socket.socket.send(JSON.stringify({ id: "bad", action: "select", stepId: "plan", index: 99 }));
    const refused = await socket.waitFor((message) =>
      message.type === "error" && message.id === "bad"
    );
    assert.equal((refused.problem as Message).status, 409, JSON.stringify(refused));
    socket.socket.send(JSON.stringify({ id: "pick", action: "select", stepId: "plan", index: 0 }));
    const ack = await socket.waitFor((message) => message.type === "ack" && message.id === "pick");
    assert.equal(ack.driving, true);
    await socket.waitFor((message) =>
      message.type === "event" && (message.event as Message).type === "step_started" &&
      ((message.event as { data: { stepId: string } }).data.stepId === "write")
    );
    assert.equal(socket.socket.readyState, WebSocket.OPEN);
    await socket.close();
  });
});

Deno.test("With a token, REST and WebSocket refuse without it and accept the bearer subprotocol", async () => {
  await withServer(async (server) => {
    assert.equal((await call(server, "/api/runs")).status, 401);
    assert.equal((await call(server, "/health")).status, 200);
    const created = await call(server, "/api/runs", CREATE, { authorization: "Bearer s3cret" });
    assert.equal(created.status, 201);
    const runId = created.body.run!.runId;
    const base = server.url.replace(/^http/, "ws");
    const refused = new Recorder(`${base}/ws/${runId}`);
    const closed = await refused.closed;
    assert.equal(closed.code, 4401, "refused with a code browsers can read");
    assert.equal((refused.messages[0].problem as Message).status, 401);
    assert.ok(!refused.messages.some((message) => message.type === "hello"));
    const wrong = new Recorder(`${base}/ws/${runId}`, ["writeit", "bearer.nope"]);
    assert.equal((await wrong.closed).code, 4401);
    const unknown = new Recorder(`${base}/ws/nope`, ["writeit", "bearer.s3cret"]);
    assert.equal((await unknown.closed).code, 4404);
    const accepted = new Recorder(`${base}/ws/${runId}`, ["writeit", "bearer.s3cret"]);
    await accepted.opened;
    assert.equal(accepted.socket.protocol, "writeit");
    await accepted.waitFor((message) => message.type === "hello");
    await accepted.close();
  }, { token: "s3cret" });
});

Deno.test("serve() refuses a non-loopback bind without a token", async () => {
  await using home = await temporaryHome();
  await assert.rejects(
    serve({ home: home.path, host: "0.0.0.0", port: 0, env: {}, log: () => {} }),
    /Binding to "0.0.0.0" exposes the API beyond this machine, and no token is set: set WRITEIT_API_TOKEN/,
  );
});

Deno.test("serve() refuses blank, padded and, beyond loopback, short tokens", async () => {
  await using home = await temporaryHome();
  const start = (host: string, token: string) =>
    serve({ home: home.path, host, port: 0, token, env: {}, log: () => {} });
  await assert.rejects(start("0.0.0.0", "x"), /has 1 characters.*at least 32: generate one/);
  await assert.rejects(start("0.0.0.0", "   "), /The API token is blank/);
  await assert.rejects(start("127.0.0.1", " a b "), /white space/);
  await assert.rejects(start("0.0.0.0", "a".repeat(31)), /has 31 characters/);
  const strong = await start("0.0.0.0", "f".repeat(32));
  await strong.shutdown();
});

Deno.test("Shutdown closes sockets with 1001 and leaves a running run resumable", async () => {
  await using home = await temporaryHome();
  const env = { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "20" };
  const first = await serve({ home: home.path, port: 0, env, log: () => {} });
  const created = await call(first, "/api/runs", { ...CREATE, autoSelect: true, start: true });
  const runId = created.body.run!.runId;
  const socket = new Recorder(`${first.url.replace(/^http/, "ws")}/ws/${runId}`);
  await socket.waitFor((message) => message.type === "chunk");
  await first.shutdown();
  const closed = await socket.closed;
  assert.equal(closed.code, 1001);

  const second = await serve({ home: home.path, port: 0, env: {}, log: () => {} });
  try {
    const before = (await call(second, `/api/runs/${runId}`)).body.run!;
    assert.notEqual(before.status, "completed");
    const resumed = await call(second, `/api/runs/${runId}/start`, {});
    assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
    const done = await waitForRun(second, runId, (run) => run.status === "completed");
    assert.equal(done.steps.polish.status, "completed");
  } finally {
    await second.shutdown();
  }
});
