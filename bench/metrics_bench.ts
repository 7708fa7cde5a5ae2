/**
 * `/metrics` under load: an in-process Hono app with the metrics middleware
 * answers 32 clients that send requests back to back over 40 route patterns
 * while a scraper asks for `/metrics` every 20 ms, for 2 s, with a snapshot
 * of 3 workspaces. Measured for prom-client (server/metrics.ts, which also
 * reports the process figures) and for the hand-written exposition it
 * replaced (bench/baselines/hand_metrics.ts), one after the other in this
 * run: scrape latency (p50, p99) and the requests per second the app served
 * meanwhile, the cost of counting every request.
 */
import { Hono } from "hono";
import { Metrics, metricsMiddleware, type MetricsSnapshot } from "../server/metrics.ts";
import {
  Metrics as HandMetrics,
  metricsMiddleware as handMiddleware,
} from "./baselines/hand_metrics.ts";
import { type BenchResult, percentile } from "./bench_result.ts";

const SNAPSHOT: MetricsSnapshot = {
  workspaces: ["default", "client-a", "client-b"].map((workspace, index) => ({
    workspace,
    runsByStatus: { running: 3 + index, completed: 120, failed: 2, paused: 1 },
    stepsByStatus: { pending: 40, awaiting_selection: 3, completed: 480 },
    tokens: { input: 1_200_000, output: 340_000 },
    costUsd: 12.5,
    cache: { hits: 700, misses: 300, entries: 1000, bytes: 4_096_000 },
    storage: { backend: "lmdb", bytes: 64 * 1024 * 1024 },
  })),
};

interface Load {
  scrapes: number;
  scrapeP50: number;
  scrapeP99: number;
  requestsPerSecond: number;
  bytes: number;
}

async function underLoad(
  app: Hono,
  durationMs = 2_000,
): Promise<Load> {
  const stopAt = performance.now() + durationMs;
  let served = 0;
  const client = async (seed: number) => {
    let index = seed;
    while (performance.now() < stopAt) {
      const route = index++ % 40;
      const response = await app.request(`/api/r${route}/item-${index}`);
      await response.arrayBuffer();
      served++;
      // Requests arrive as I/O does, so timers (the scraper's) get their turn.
      if (served % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const scrapes: number[] = [];
  let bytes = 0;
  const scraper = async () => {
    while (performance.now() < stopAt) {
      const started = performance.now();
      const response = await app.request("/metrics");
      bytes = (await response.arrayBuffer()).byteLength;
      scrapes.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const started = performance.now();
  await Promise.all([scraper(), ...Array.from({ length: 32 }, (_, seed) => client(seed))]);
  const seconds = (performance.now() - started) / 1000;
  return {
    scrapes: scrapes.length,
    scrapeP50: percentile(scrapes, 50),
    scrapeP99: percentile(scrapes, 99),
    requestsPerSecond: served / seconds,
    bytes,
  };
}

function app(
  use: (app: Hono) => void,
  render: () => Promise<string> | string,
): Hono {
  const hono = new Hono();
  use(hono);
  for (let route = 0; route < 40; route++) {
    hono.get(`/api/r${route}/:id`, (context) => context.json({ id: context.req.param("id") }));
  }
  hono.get("/metrics", async (context) => context.text(await render()));
  return hono;
}

export async function run(): Promise<BenchResult[]> {
  const hand = new HandMetrics();
  const handLoad = await underLoad(
    app((hono) => hono.use(handMiddleware(hand)), () => hand.render(SNAPSHOT)),
  );
  const metrics = new Metrics();
  const load = await underLoad(
    app((hono) => hono.use(metricsMiddleware(metrics)), () => metrics.render(SNAPSHOT)),
  );
  return [
    {
      name: `/metrics scrape under load, p50 of ${load.scrapes} scrapes`,
      value: load.scrapeP50,
      unit: "ms",
      baseline: { name: "hand-written exposition", value: handLoad.scrapeP50 },
      ratio: load.scrapeP50 / handLoad.scrapeP50,
      target: "< 10 ms",
      met: load.scrapeP50 < 10,
    },
    {
      name: "/metrics scrape under load, p99",
      value: load.scrapeP99,
      unit: "ms",
      baseline: { name: "hand-written exposition", value: handLoad.scrapeP99 },
      ratio: load.scrapeP99 / handLoad.scrapeP99,
      target: "< 50 ms",
      met: load.scrapeP99 < 50,
    },
    {
      name: "requests served while scraped (32 clients, 40 routes)",
      value: load.requestsPerSecond,
      unit: "requests/s",
      baseline: { name: "hand-written exposition", value: handLoad.requestsPerSecond },
      ratio: load.requestsPerSecond / handLoad.requestsPerSecond,
      target: ">= 0.8x hand-written",
      met: load.requestsPerSecond >= 0.8 * handLoad.requestsPerSecond,
    },
    {
      name: "size of one scrape (with process figures)",
      value: load.bytes,
      unit: "bytes",
      baseline: { name: "hand-written exposition", value: handLoad.bytes },
      ratio: load.bytes / handLoad.bytes,
    },
  ];
}
