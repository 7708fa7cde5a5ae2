/**
 * The client library and `writeit --server` against the real server
 * (serve.ts) over real sockets on port 0, with a temporary home: a
 * bundled pipeline on the offline model driven by the server and watched
 * through RunSocket, several subscribers at once, a dropped connection that
 * resumes without losing or repeating an event, a wrong token, and the CLI
 * as a subprocess in `--server` mode.
 */
import assert from "node:assert/strict";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { type RunSocket, WriteItApiError, WriteItClient } from "../client/mod.ts";
import { serve } from "../serve.ts";
import { runCli, temporaryHome } from "./cli_harness.ts";

type Server = Awaited<ReturnType<typeof serve>>;

async function withServer(
  options: { token?: string },
  body: (server: Server, home: string) => Promise<void>,
): Promise<void> {
  await using home = await temporaryHome();
  const server = await serve({ home: home.path, port: 0, token: options.token, log: () => {} });
  try {
    await body(server, home.path);
  } finally {
    await server.shutdown();
  }
}

/** What one subscriber saw. */
interface Watched {
  events: EventEnvelope[];
  text: Map<string, string>;
  chunks: number;
}

function record(socket: RunSocket): Watched {
  const watched: Watched = { events: [], text: new Map(), chunks: 0 };
  socket.on("event", (event) => watched.events.push(event));
  socket.on("chunk", (chunk) => {
    watched.chunks++;
    const key = `${chunk.stepId}/${chunk.generation}/${chunk.candidateIndex}`;
    watched.text.set(key, (watched.text.get(key) ?? "") + chunk.text);
  });
  socket.on(
    "chunk_reset",
    (reset) => watched.text.delete(`${reset.stepId}/${reset.generation}/${reset.candidateIndex}`),
  );
  return watched;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const completed = (watched: Watched) =>
  watched.events.some((event) => event.type === "run_completed");

function assertContiguous(events: EventEnvelope[], from: number): void {
  assert.deepEqual(
    events.map((event) => event.sequence),
    Array.from({ length: events.length }, (_, index) => from + index),
    "every event once, in order",
  );
}

const INPUTS = { topic: "Event sourcing in practice" };

Deno.test("WriteItClient creates a run, RunSocket starts it and streams it to completion", async () => {
  await withServer({}, async (server) => {
    const client = new WriteItClient({ baseUrl: server.url });
    assert.equal((await client.health()).status, "ok");
    const { run, driving } = await client.createRun({
      pipeline: "quick-article",
      inputs: INPUTS,
      model: "offline",
    });
    assert.equal(driving, false);
    const socket = client.watch(run.runId, { since: run.version });
    const watched = record(socket);
    try {
      await waitFor(() => socket.state === "open", "the hello");
      assert.equal(socket.run?.runId, run.runId);
      const ack = await socket.send({ action: "start", autoSelect: true });
      assert.equal(ack.action, "start");
      assert.equal(ack.driving, true);
      await waitFor(() => completed(watched), "run_completed");
      assertContiguous(watched.events, run.version + 1);
      assert.ok(watched.chunks > 0, "text streamed while generating");
      const final = await client.getRun(run.runId);
      assert.equal(final.status, "completed");
      assert.equal(final.version, watched.events.at(-1)!.sequence);
      for (const stepId of final.stepOrder) {
        const response = final.steps[stepId].responses[0];
        assert.equal(
          watched.text.get(`${stepId}/0/0`),
          response.rawOutput,
          `the streamed text of ${stepId} is the stored candidate`,
        );
      }
      const page = await client.events(run.runId);
      assert.equal(page.events.length, final.version);
      const markdown = await client.exportRun(run.runId, { format: "markdown" });
      assert.match(markdown, /^---\n/);
      const listed = await client.listRuns({ status: "completed" });
      assert.deepEqual(listed.runs.map((row) => row.runId), [run.runId]);
    } finally {
      await socket.close();
    }
  });
});

Deno.test("Several RunSockets on one run each get every event once and the same streamed text", async () => {
  await withServer({}, async (server) => {
    const client = new WriteItClient({ baseUrl: server.url });
    const { run } = await client.createRun({
      pipeline: "quick-article",
      inputs: INPUTS,
      model: "offline",
    });
    const sockets = [0, 1, 2].map(() => client.watch(run.runId));
    const watched = sockets.map(record);
    try {
      await waitFor(() => sockets.every((socket) => socket.state === "open"), "three hellos");
      const started = await client.startRun(run.runId, { autoSelect: true });
      assert.equal(started.driving, true);
      await waitFor(() => watched.every(completed), "run_completed on every socket");
      const final = await client.getRun(run.runId);
      for (const seen of watched) {
        assertContiguous(seen.events, run.version + 1);
        assert.equal(seen.events.at(-1)!.sequence, final.version);
        assert.deepEqual([...seen.text], [...watched[0].text]);
      }
      assert.ok(watched[0].chunks > 0);
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });
});

Deno.test("RunSocket resumes after a dropped connection with no event missing or repeated", async () => {
  await withServer({}, async (server) => {
    const client = new WriteItClient({ baseUrl: server.url });
    const { run } = await client.createRun({
      pipeline: "tech-article",
      inputs: { source_material: "Deno runs TypeScript directly and ships a standard toolchain." },
      model: "offline",
      responses: 2,
    });
    const urls: string[] = [];
    const raw: WebSocket[] = [];
    const socket = client.watch(run.runId, {
      since: 0,
      reconnect: { initialDelayMs: 150, maxDelayMs: 300 },
      webSocket: (url, protocols) => {
        urls.push(url);
        const created = new WebSocket(url, protocols);
        raw.push(created);
        return created;
      },
    });
    const watched = record(socket);
    const hellos: number[] = [];
    socket.on("hello", (hello) => hellos.push(hello.sequence));
    try {
      await waitFor(() => socket.state === "open", "the hello");
      await client.startRun(run.runId, { autoSelect: true });
      await waitFor(() => watched.events.length >= run.version + 2, "a few live events");
      raw[0].close(); // the connection drops under the client
      const seenAtDrop = socket.lastSequence!;
      await waitFor(() => raw.length === 2 && socket.state === "open", "the reconnection");
      assert.ok(hellos[1] > seenAtDrop, "events were appended while the client was away");
      await waitFor(() => completed(watched), "run_completed");
      assertContiguous(watched.events, 1);
      const since = Number(new URL(urls[1]).searchParams.get("since"));
      assert.ok(since >= run.version + 2, `resumed from the last sequence seen (${since})`);
      assert.equal(new URL(urls[0]).searchParams.get("since"), "0");
      const final = await client.getRun(run.runId);
      assert.equal(final.status, "completed");
      assert.equal(watched.events.length, final.version);
    } finally {
      await socket.close();
    }
  });
});

Deno.test("RunSocket follows a run across a server restart on the same port, missing nothing", async () => {
  await using home = await temporaryHome();
  // Paced like a real model, so that the restart lands mid-run.
  const env = { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "2" };
  let server = await serve({ home: home.path, port: 0, log: () => {}, env });
  const port = server.port;
  const client = new WriteItClient({ baseUrl: server.url });
  const { run } = await client.createRun({
    pipeline: "tech-article",
    inputs: { source_material: "Deno runs TypeScript directly and ships a standard toolchain." },
    model: "offline",
    responses: 2,
  });
  const watcher = client.watch(run.runId, {
    since: 0,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  const watched = record(watcher);
  const closes: number[] = [];
  watcher.on("close", (close) => closes.push(close.code));
  try {
    await waitFor(() => watcher.state === "open", "the hello");
    await client.startRun(run.runId, { autoSelect: true });
    await waitFor(() => watched.events.length >= run.version + 3, "a few live events");
    await server.shutdown(); // sockets get 1001; the drive stops, the run stays resumable
    server = await serve({ home: home.path, port, log: () => {}, env });
    await waitFor(() => watcher.state === "open", "the reconnection to the new server");
    const state = await client.getRun(run.runId);
    assert.notEqual(state.status, "completed", "the restart came in the middle of the run");
    await client.startRun(run.runId, { autoSelect: true });
    await waitFor(() => completed(watched), "run_completed");
    assertContiguous(watched.events, 1);
    assert.equal(closes[0], 1001);
    assert.equal(watched.events.length, (await client.getRun(run.runId)).version);
  } finally {
    await watcher.close();
    await server.shutdown();
  }
});

Deno.test("A wrong token gets 401 on REST and no WebSocket; the right one works", async () => {
  await withServer({ token: "right-token" }, async (server) => {
    const wrong = new WriteItClient({ baseUrl: server.url, token: "wrong-token" });
    assert.equal((await wrong.health()).status, "ok", "health needs no token");
    const refused = await wrong.listRuns().catch((error) => error);
    assert.ok(refused instanceof WriteItApiError);
    assert.equal(refused.status, 401);
    assert.match(refused.message, /--token or WRITEIT_API_TOKEN/);
    const anonymous = await new WriteItClient({ baseUrl: server.url }).listPipelines()
      .catch((error) => error);
    assert.equal(anonymous.status, 401);

    const right = new WriteItClient({ baseUrl: server.url, token: "right-token" });
    const { run } = await right.createRun({
      pipeline: "quick-article",
      inputs: INPUTS,
      model: "offline",
    });
    const blocked = wrong.watch(run.runId, { reconnect: false });
    const close = await blocked.closed;
    assert.equal(close.reconnecting, false);
    assert.equal(blocked.run, undefined, "no hello without the token");
    const allowed = right.watch(run.runId);
    try {
      assert.equal((await allowed.ping()).action, "ping");
      assert.equal(allowed.run?.runId, run.runId);
    } finally {
      await allowed.close();
    }
  });
});

Deno.test("writeit --server runs a pipeline through the API and lists, shows, exports it", async () => {
  await withServer({ token: "cli-token" }, async (server) => {
    await using local = await temporaryHome(); // the CLI's own home stays untouched
    const env = { WRITEIT_API_TOKEN: "cli-token" };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli(["--server", server.url, ...args], { home: local.path, env: { ...env, ...extra } });

    const run = await cli([
      "run",
      "quick-article",
      "--input",
      "topic=Deno",
      "--model",
      "offline",
      "--yes",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Done\. Run [0-9a-f-]{36} completed: 3 steps/);
    assert.match(run.stderr, /Step 1\/3 · plan/);
    assert.match(run.stderr, /Run completed/);
    const runId = run.stdout.match(/Run ([0-9a-f-]{36}) completed/)![1];

    const list = await cli(["runs", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout);
    assert.deepEqual(rows.map((row: { runId: string }) => row.runId), [runId]);
    assert.equal(rows[0].status, "completed");

    const show = await cli(["runs", "show", runId.slice(0, 8)]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Status {5}completed/);
    assert.match(show.stdout, /polish +completed/);

    const events = await cli(["runs", "events", runId, "--json"]);
    const types = events.stdout.trim().split("\n").map((line) => JSON.parse(line).type);
    assert.equal(types[0], "run_created");
    assert.equal(types.at(-1), "run_completed");

    const exported = await cli(["export", runId, "--format", "md"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^---\n[\s\S]*pipeline: quick-article/);

    const json = await cli([
      "run",
      "quick-article",
      "-i",
      "topic=X",
      "-m",
      "offline",
      "-y",
      "--json",
    ]);
    assert.equal(json.code, 0, json.stderr);
    const last = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    assert.equal(last.type, "result");
    assert.equal(last.status, "completed");

    const pipelines = await cli(["pipeline", "list", "--json"]);
    assert.ok(
      JSON.parse(pipelines.stdout).some((row: { name: string }) => row.name === "quick-article"),
    );
    const workspaces = await cli(["workspace", "list"]);
    assert.match(workspaces.stdout, /NAME +CREATED +DESCRIPTION/, "the local list's columns");
    assert.match(workspaces.stdout, /\*\s+default +\d{4}-\d{2}-\d{2} /);
    const cache = await cli(["cache", "stats", "--json"]);
    assert.equal(cache.code, 0, cache.stderr);
    assert.ok(JSON.parse(cache.stdout).misses >= 3);
    const cacheTable = await cli(["cache", "stats"]);
    assert.match(cacheTable.stdout, /^workspace +default$/m, "the server names its workspace");
    assert.match(cacheTable.stdout, /^ttl +24 h$/m);

    const missing = await cli(["run", "quick-article", "--model", "offline", "--yes"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing required input: topic/);

    const unsupported = await cli(["style", "list"]);
    assert.equal(unsupported.code, 2);
    assert.match(unsupported.stderr, /"writeit style" is not available with --server/);

    const badToken = await cli(["runs", "list", "--token", "nope"]);
    assert.equal(badToken.code, 1);
    assert.match(badToken.stderr, /401.*--token or WRITEIT_API_TOKEN/);

    const unknown = await cli(["runs", "show", "ffffffff"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No run "ffffffff" on the server/);

    const fromEnv = await runCli(["runs", "list"], {
      home: local.path,
      env: { ...env, WRITEIT_SERVER: server.url },
    });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, new RegExp(runId));
  });
});

Deno.test("writeit --server without --yes pauses the run at the first choice and exits 0", async () => {
  await withServer({}, async (server) => {
    await using local = await temporaryHome();
    const result = await runCli(
      ["--server", server.url, "run", "quick-article", "-i", "topic=Deno", "-m", "offline"],
      { home: local.path },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Step "plan" is waiting for a choice/);
    const client = new WriteItClient({ baseUrl: server.url });
    const [row] = (await client.listRuns()).runs;
    assert.equal(row.status, "paused");
    const run = await client.getRun(row.runId);
    assert.equal(run.steps.plan.status, "awaiting_selection");
  });
});

Deno.test("a run that waits for a pick lists as waiting for you, through the API and writeit --server", async () => {
  await withServer({}, async (server) => {
    await using local = await temporaryHome();
    const client = new WriteItClient({ baseUrl: server.url });
    const { run } = await client.createRun({
      pipeline: "quick-article",
      inputs: { topic: "Waiting", audience: "general" },
      model: "offline",
      start: true,
    });
    let rows = (await client.listRuns()).runs;
    for (let tries = 0; tries < 200 && !rows[0]?.waitingFor; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = (await client.listRuns()).runs;
    }
    assert.equal(rows[0].runId, run.runId);
    assert.equal(rows[0].status, "running");
    assert.deepEqual(rows[0].waitingFor, ["plan"]);
    const listed = await runCli(["--server", server.url, "runs", "list"], { home: local.path });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /waiting for you \(plan\)/);
  });
});

Deno.test("POST …/resume with a model asks the waiting step again on it; a model the server cannot call is a 422 naming it", async () => {
  await withServer({}, async (server) => {
    const client = new WriteItClient({ baseUrl: server.url });
    const { run } = await client.createRun({
      pipeline: "quick-article",
      inputs: { topic: "Switching models", audience: "general" },
      model: "offline:writer",
      start: true,
    });
    const waiting = async (count: number) => {
      for (let tries = 0; tries < 200; tries++) {
        const state = await client.getRun(run.runId);
        const plan = state.steps.plan;
        if (plan.status === "awaiting_selection" && plan.responses.length >= count) return state;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`plan never had ${count} candidates`);
    };
    const first = await waiting(1);
    await assert.rejects(
      () => client.resume(run.runId, { model: "acme-9000" }),
      (error: unknown) => {
        assert.ok(error instanceof WriteItApiError, String(error));
        assert.equal(error.status, 422);
        assert.match(error.message, /acme-9000/);
        return true;
      },
    );
    assert.equal((await client.getRun(run.runId)).version, first.version, "nothing was written");
    await client.resume(run.runId, { model: "offline:editor", basedOn: first.version });
    const again = await waiting(first.steps.plan.responses.length + 1);
    assert.equal(again.options?.modelOverride, "offline:editor");
    assert.deepEqual(
      again.steps.plan.responses.map((response) => response.modelName),
      [...first.steps.plan.responses.map(() => "offline:writer"), "offline:editor"],
    );
  });
});

Deno.test("POST …/rate keeps a rating and note on a candidate, in the run's state and its export", async () => {
  await withServer({}, async (server) => {
    const client = new WriteItClient({ baseUrl: server.url });
    const { run } = await client.createRun({
      pipeline: "quick-article",
      inputs: { topic: "Ratings", audience: "general" },
      model: "offline",
      autoSelect: true,
      start: true,
    });
    let state = await client.getRun(run.runId);
    for (let tries = 0; tries < 200 && state.status !== "completed"; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await client.getRun(run.runId);
    }
    assert.equal(state.status, "completed");
    const candidate = state.steps.plan.responses[0];
    const { run: rated, driving } = await client.rate(run.runId, "plan", candidate.responseId, {
      rating: "up",
      note: "Clear structure",
      basedOn: state.version,
    });
    assert.equal(driving, false);
    assert.deepEqual(
      { ...rated.steps.plan.ratings?.[candidate.responseId], at: undefined },
      { rating: "up", note: "Clear structure", at: undefined },
    );
    const exported = await (await fetch(`${server.url}/api/runs/${run.runId}/export?format=json`))
      .json();
    assert.equal(exported.run.steps.plan.ratings[candidate.responseId].note, "Clear structure");
    await assert.rejects(
      () => client.rate(run.runId, "plan", "nope", { rating: "up" }),
      (error: unknown) => error instanceof WriteItApiError && error.status === 409,
    );
  });
});
