/**
 * Server benchmarks (issue 6 targets), over real sockets on loopback with a
 * temporary home. The load comes from a separate client process (`deno eval`
 * of CLIENT_SOURCE below, driven over stdin/stdout), so the server's event
 * loop and memory are its own:
 * - REST: requests/second and p50/p99 latency at concurrency 16 for run reads
 *   (`GET /api/runs/{id}` of a completed quick-article run on the offline
 *   model) and event reads (`GET /api/runs/{id}/events`), each against a bare
 *   `Deno.serve` handler answering the same JSON bytes, measured in the same
 *   run (the ratio is WriteIt's overhead: routing, workspace, LMDB, JSON);
 *   the rate limit is switched off (WRITEIT_RATE_LIMIT_PER_MINUTE=0), else it
 *   would be what is measured;
 * - WebSocket: memory per idle connection (server RSS and heap growth across
 *   opening 1,000 sockets to one run, divided by 1,000), then chunk delivery
 *   latency to those 1,000 subscribers while the run streams (offline model
 *   paced at WRITEIT_OFFLINE_CHUNK_DELAY_MS=20, about an LLM's token rate):
 *   t0 is when an in-process `service.subscribe` listener, subscribed before
 *   the sockets, sees the chunk; the client stamps arrival with the same
 *   wall clock (`performance.timeOrigin + performance.now()`). Target: p99
 *   under 50 ms. Baseline: a bare `Deno.upgradeWebSocket` server sending a
 *   chunk-sized frame, serialized once, to as many clients at the same pace
 *   (the floor of this machine, client process included).
 * The heap reading has no forced GC (bench/main.ts runs without
 * --expose-gc), so it includes garbage from the hello frames: an upper bound.
 */
import type { BenchResult } from "./bench_result.ts";
import { serve } from "../serve.ts";

const CONCURRENCY = 16;
const REST_SECONDS = 3;
const SUBSCRIBERS = 1_000;
const CHUNK_DELAY_MS = 20;

/** The load client, run as its own Deno process: one JSON command per stdin line, one JSON answer per stdout line. */
const CLIENT_SOURCE = `
const encoder = new TextEncoder();
const now = () => performance.timeOrigin + performance.now();
const say = (value) => Deno.stdout.write(encoder.encode(JSON.stringify(value) + "\\n"));
const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
let sockets = [];

async function load({ url, concurrency, seconds }) {
  const latencies = [];
  let errors = 0;
  const warmEnd = performance.now() + 500;
  const workers = (until, record) => Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
      } catch {
        errors++;
      }
      if (record) latencies.push(performance.now() - started);
    }
  }));
  await workers(warmEnd, false);
  const started = performance.now();
  await workers(started + seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

function open(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const arrivals = [];
    socket.onmessage = (event) => {
      const data = event.data;
      if (data.startsWith('{"type":"chunk"')) arrivals.push(now());
      else if (data.startsWith('{"type":"hello"')) resolve({ socket, arrivals });
    };
    socket.onerror = () => reject(new Error("WebSocket error on " + url));
  });
}

async function subscribe({ url, count }) {
  for (let index = 0; index < count; index += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - index) }, () => open(url)),
    );
    sockets.push(...batch);
  }
  return { open: sockets.length };
}

function report({ t0 }) {
  const latencies = [];
  let missing = 0;
  for (const { arrivals } of sockets) {
    missing += Math.max(0, t0.length - arrivals.length);
    for (let index = 0; index < Math.min(t0.length, arrivals.length); index++) {
      latencies.push(arrivals[index] - t0[index]);
    }
  }
  latencies.sort((a, b) => a - b);
  return { deliveries: latencies.length, missing, p50: percentile(latencies, 50),
    p99: percentile(latencies, 99), max: latencies.at(-1), min: latencies[0] };
}

async function closeAll() {
  await Promise.all(sockets.map(({ socket }) => new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.onclose = () => resolve();
    socket.close();
  })));
  sockets = [];
  return { closed: true };
}

const handlers = { load, subscribe, report, closeAll };
let buffered = "";
for await (const bytes of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  buffered += bytes;
  let newline;
  while ((newline = buffered.indexOf("\\n")) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const command = JSON.parse(line);
    if (command.op === "exit") Deno.exit(0);
    try {
      await say(await handlers[command.op](command));
    } catch (error) {
      await say({ error: String(error) });
    }
  }
}
`;

/** The client process, answering one command at a time. */
class LoadClient {
  readonly #process: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  constructor() {
    this.#process = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", CLIENT_SOURCE],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#writer = this.#process.stdin.getWriter();
    this.#lines = lines(this.#process.stdout);
  }

  async ask<T>(command: Record<string, unknown>): Promise<T> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    const next = await this.#lines.next();
    if (next.done) throw new Error(`The load client exited during "${command.op}"`);
    const answer = JSON.parse(next.value);
    if (answer.error) throw new Error(`The load client failed "${command.op}": ${answer.error}`);
    return answer as T;
  }

  async close(): Promise<void> {
    await this.#writer.write(new TextEncoder().encode('{"op":"exit"}\n')).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#lines.return?.();
    await this.#process.status;
  }
}

async function* lines(stream: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
}

interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function json(url: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await response.json();
  if (response.status >= 400) {
    throw new Error(`${url}: ${response.status} ${JSON.stringify(value)}`);
  }
  return value;
}

async function waitForStatus(base: string, runId: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { run } = await json(`${base}/api/runs/${runId}`) as { run: { status: string } };
    if (run.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Run ${runId} did not reach "${status}" within 60 s`);
}

/** A run of the bundled quick-article pipeline on the offline model, selections automatic. */
function quickArticle(start: boolean) {
  return {
    pipeline: "quick-article",
    inputs: { topic: `Benchmarking WebSocket fan-out ${crypto.randomUUID()}` },
    model: "offline",
    autoSelect: true,
    start,
  };
}

/** REST reads against a bare `Deno.serve` answering the same bytes. */
async function restResults(client: LoadClient): Promise<BenchResult[]> {
  const home = await Deno.makeTempDir({ prefix: "writeit-bench-server-" });
  // The default rate limit (1,200 requests a minute per workspace) would cap the load: off here.
  const server = await serve({
    home,
    port: 0,
    env: { WRITEIT_RATE_LIMIT_PER_MINUTE: "0" },
    log: () => {},
  });
  const results: BenchResult[] = [];
  try {
    const { run } = await json(`${server.url}/api/runs`, quickArticle(true)) as {
      run: { runId: string };
    };
    await waitForStatus(server.url, run.runId, "completed");
    const targets = [
      { name: "run read", path: `/api/runs/${run.runId}` },
      { name: "event read", path: `/api/runs/${run.runId}/events` },
    ];
    for (const target of targets) {
      const bytes = new Uint8Array(await (await fetch(server.url + target.path)).arrayBuffer());
      const bare = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        () => new Response(bytes, { headers: { "content-type": "application/json" } }),
      );
      const bareUrl = `http://127.0.0.1:${bare.addr.port}${target.path}`;
      let baseline: LoadResult;
      try {
        baseline = await client.ask<LoadResult>({
          op: "load",
          url: bareUrl,
          concurrency: CONCURRENCY,
          seconds: REST_SECONDS,
        });
      } finally {
        await bare.shutdown();
      }
      const measured = await client.ask<LoadResult>({
        op: "load",
        url: server.url + target.path,
        concurrency: CONCURRENCY,
        seconds: REST_SECONDS,
      });
      if (measured.errors || baseline.errors) {
        throw new Error(`${target.name}: ${measured.errors} + ${baseline.errors} failed requests`);
      }
      const label = `GET ${target.name} (${
        (bytes.length / 1024).toFixed(0)
      } KiB), concurrency ${CONCURRENCY}`;
      results.push(
        {
          name: `${label}: throughput`,
          value: measured.perSecond,
          unit: "req/s",
          baseline: { name: "bare Deno.serve, same bytes", value: baseline.perSecond },
          ratio: measured.perSecond / baseline.perSecond,
        },
        {
          name: `${label}: p50 latency`,
          value: measured.p50,
          unit: "ms",
          baseline: { name: "bare Deno.serve", value: baseline.p50 },
          ratio: measured.p50 / baseline.p50,
        },
        {
          name: `${label}: p99 latency`,
          value: measured.p99,
          unit: "ms",
          baseline: { name: "bare Deno.serve", value: baseline.p99 },
          ratio: measured.p99 / baseline.p99,
        },
      );
    }
  } finally {
    await server.shutdown();
    await Deno.remove(home, { recursive: true });
  }
  return results;
}

/** Idle memory per socket, then chunk delivery to all of them while the run streams. */
async function socketResults(client: LoadClient): Promise<BenchResult[]> {
  const home = await Deno.makeTempDir({ prefix: "writeit-bench-server-" });
  const server = await serve({
    home,
    port: 0,
    env: {
      WRITEIT_OFFLINE_CHUNK_DELAY_MS: String(CHUNK_DELAY_MS),
      WRITEIT_RATE_LIMIT_PER_MINUTE: "0",
    },
    log: () => {},
  });
  let subscribed = false;
  try {
    const { run } = await json(`${server.url}/api/runs`, quickArticle(false)) as {
      run: { runId: string };
    };
    const runtime = await server.hub.open();
    const t0: number[] = [];
    const unsubscribe = runtime.service.subscribe(run.runId, (update) => {
      if (update.type === "chunk") t0.push(performance.timeOrigin + performance.now());
    });
    try {
      // One warm-up socket, so lazily loaded code is not counted per connection.
      subscribed = true;
      await client.ask({ op: "subscribe", url: socketUrl(server.url, run.runId), count: 1 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = Deno.memoryUsage();
      await client.ask({
        op: "subscribe",
        url: socketUrl(server.url, run.runId),
        count: SUBSCRIBERS - 1,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = Deno.memoryUsage();

      await json(`${server.url}/api/runs/${run.runId}/start`, {});
      await waitForStatus(server.url, run.runId, "completed");
      await new Promise((resolve) => setTimeout(resolve, 500)); // last frames in flight
      const delivery = await client.ask<Delivery>({ op: "report", t0 });
      await client.ask({ op: "closeAll" });
      subscribed = false;
      const floor = await bareFanOut(client, t0.length);
      const idle = `${SUBSCRIBERS} idle WebSockets on one run`;
      const fanOut = `${SUBSCRIBERS} subscribers, ${t0.length} chunks every ${CHUNK_DELAY_MS} ms`;
      return [
        {
          name: `${idle}: server RSS per connection`,
          value: (after.rss - before.rss) / (SUBSCRIBERS - 1),
          unit: "bytes",
        },
        {
          name: `${idle}: server JS heap per connection`,
          value: (after.heapUsed - before.heapUsed) / (SUBSCRIBERS - 1),
          unit: "bytes",
        },
        {
          name: `${fanOut}: p50 chunk delivery (publish → client)`,
          value: delivery.p50,
          unit: "ms",
          baseline: { name: "bare Deno WebSocket broadcast", value: floor.p50 },
          ratio: delivery.p50 / floor.p50,
        },
        {
          name: `${fanOut}: p99 chunk delivery (publish → client)`,
          value: delivery.p99,
          unit: "ms",
          baseline: { name: "bare Deno WebSocket broadcast", value: floor.p99 },
          ratio: delivery.p99 / floor.p99,
          target: "< 50 ms",
          met: delivery.p99 < 50 && delivery.missing === 0,
        },
        {
          name: `${fanOut}: max chunk delivery (min ${delivery.min.toFixed(2)} ms)`,
          value: delivery.max,
          unit: "ms",
        },
        {
          name: `${fanOut}: chunk frames not delivered`,
          value: delivery.missing,
          unit: "frames",
          target: "0",
          met: delivery.missing === 0,
        },
      ];
    } finally {
      unsubscribe();
    }
  } finally {
    if (subscribed) await client.ask({ op: "closeAll" });
    await server.shutdown();
    await Deno.remove(home, { recursive: true });
  }
}

interface Delivery {
  deliveries: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

/**
 * The floor of fan-out on this machine: a bare `Deno.upgradeWebSocket`
 * server sending a chunk-sized frame (serialized once) to the same number of
 * subscribers at the same pace, measured the same way.
 */
async function bareFanOut(client: LoadClient, chunks: number): Promise<Delivery> {
  const sockets = new Set<WebSocket>();
  const bare = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => {
      sockets.add(socket);
      socket.send(JSON.stringify({ type: "hello", runId: "bare", sequence: 1 }));
    };
    socket.onclose = () => sockets.delete(socket);
    return response;
  });
  try {
    await client.ask({
      op: "subscribe",
      url: `ws://127.0.0.1:${bare.addr.port}/ws/bare`,
      count: SUBSCRIBERS,
    });
    const t0: number[] = [];
    for (let index = 0; index < chunks; index++) {
      await new Promise((resolve) => setTimeout(resolve, CHUNK_DELAY_MS));
      const frame = JSON.stringify({
        type: "chunk",
        stepId: "write",
        generation: 0,
        model: "offline",
        candidateIndex: 0,
        text: ` word${index}`,
      });
      t0.push(performance.timeOrigin + performance.now());
      for (const socket of sockets) socket.send(frame);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    return await client.ask<Delivery>({ op: "report", t0 });
  } finally {
    await client.ask({ op: "closeAll" });
    await bare.shutdown();
  }
}

function socketUrl(base: string, runId: string): string {
  return `${base.replace(/^http/, "ws")}/ws/${runId}`;
}

/** Runs the server benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const client = new LoadClient();
  try {
    // Sockets first: the idle-memory reading is cleanest before the REST load grows the heap.
    return [...await socketResults(client), ...await restResults(client)];
  } finally {
    await client.close();
  }
}

if (import.meta.main) {
  for (const result of await run()) console.log(result);
}
