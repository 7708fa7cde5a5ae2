/**
 * The server as a separate process (`writeit serve`), sharing a workspace
 * with the CLI: a CLI run and an API run at the same time both complete and
 * both show in the API; the API sees the CLI's events live through the
 * run WebSocket; and a server killed with SIGKILL in the middle of a run
 * comes back with the run intact and finishes it.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli, temporaryHome } from "./cli_harness.ts";

interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  stop(signal?: Deno.Signal): Promise<void>;
}

/** Starts `writeit serve --port 0` and reads its URL from the first log line. */
async function startServer(home: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawnCli(["serve", "--port", "0"], { home, env });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) {
      const stderr = await new Response(child.stderr).text();
      throw new Error(`The server exited before listening: ${stderr}`);
    }
    buffered += value;
    for (const line of buffered.split("\n")) {
      if (line.startsWith("{") && line.includes('"url"')) url = JSON.parse(line).url;
    }
  }
  // Keep draining both pipes so the server never blocks on a full pipe.
  const drained = Promise.all([
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })(),
    child.stderr.pipeTo(new WritableStream()),
  ]);
  return {
    url,
    child,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      await child.status;
      await drained;
    },
  };
}

/** A JSON answer, read loosely: the tests check its fields. */
// deno-lint-ignore no-explicit-any
type Answer = Record<string, any>;

async function json(url: string, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${url}: ${text}`);
  return JSON.parse(text);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("A CLI run and an API run on one workspace at once both complete, and the API sees both", async () => {
  await using home = await temporaryHome();
  const server = await startServer(home.path, { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "1" });
  try {
    const created = await json(`${server.url}/api/runs`, {
      pipeline: "quick-article",
      inputs: { topic: "Append-only logs" },
      model: "offline",
      autoSelect: true,
      start: true,
    });
    const cli = runCli(
      ["run", "quick-article", "--yes", "--model", "offline", "--input", "topic=Group commit"],
      { home: home.path, env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "1" } },
    );
    const apiRun = await until(async () => {
      const { run } = await json(`${server.url}/api/runs/${created.run.runId}`);
      return run.status === "completed" ? run : undefined;
    }, "the API run to complete");
    const result = await cli;
    assert.equal(result.code, 0, result.stderr);
    const { runs } = await json(`${server.url}/api/runs?status=completed`);
    assert.equal(runs.length, 2);
    const cliRun = runs.find((run: { runId: string }) => run.runId !== apiRun.runId);
    assert.equal(cliRun.pipelineId, "quick-article");
    const { run } = await json(`${server.url}/api/runs/${cliRun.runId}`);
    assert.equal(run.userInputs.topic, "Group commit");
    assert.equal(run.steps.polish.status, "completed");
  } finally {
    await server.stop();
  }
});

Deno.test("The run WebSocket of the server shows events a CLI process appends", async () => {
  await using home = await temporaryHome();
  const server = await startServer(home.path);
  try {
    // A run made through the API, then driven to completion by the CLI.
    const created = await json(`${server.url}/api/runs`, {
      pipeline: "quick-article",
      inputs: { topic: "Leases" },
      model: "offline",
      autoSelect: true,
    });
    const runId = created.run.runId;
    const socket = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws/${runId}`);
    const types: string[] = [];
    const completed = new Promise<void>((resolve) => {
      socket.onmessage = (message) => {
        const frame = JSON.parse(message.data);
        if (frame.type === "event") types.push(frame.event.type);
        if (frame.event?.type === "run_completed") resolve();
      };
    });
    await new Promise((resolve) => (socket.onopen = resolve));
    const result = await runCli(["resume", runId.slice(0, 8), "--yes"], { home: home.path });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    await completed;
    assert.ok(types.includes("step_completed"), types.join());
    const closed = new Promise((resolve) => (socket.onclose = resolve));
    socket.close();
    await closed;
  } finally {
    await server.stop();
  }
});

Deno.test("A server killed with SIGKILL mid-run restarts with the run intact and finishes it", async () => {
  await using home = await temporaryHome();
  const slow = { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "15" };
  const first = await startServer(home.path, slow);
  const created = await json(`${first.url}/api/runs`, {
    pipeline: "quick-article",
    inputs: { topic: "Crash safety" },
    model: "offline",
    autoSelect: true,
    start: true,
  });
  const runId = created.run.runId;
  await until(async () => {
    const { run } = await json(`${first.url}/api/runs/${runId}`);
    return run.steps.plan.status === "completed" ? run : undefined;
  }, "the first step to complete");
  await first.stop("SIGKILL");

  const second = await startServer(home.path);
  try {
    const { run: before } = await json(`${second.url}/api/runs/${runId}`);
    assert.equal(before.steps.plan.status, "completed", "acknowledged work survived the kill");
    assert.notEqual(before.status, "completed");
    const { events } = await json(`${second.url}/api/runs/${runId}/events`);
    assert.deepEqual(
      events.map((event: { sequence: number }) => event.sequence),
      Array.from({ length: events.length }, (_, index) => index + 1),
      "the log is gapless",
    );
    await json(`${second.url}/api/runs/${runId}/start`, {});
    const done = await until(async () => {
      const { run } = await json(`${second.url}/api/runs/${runId}`);
      return run.status === "completed" ? run : undefined;
    }, "the resumed run to complete");
    assert.equal(done.steps.polish.status, "completed");
  } finally {
    await second.stop();
  }
});
