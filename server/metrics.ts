/**
 * Prometheus metrics on prom-client: HTTP requests (a counter and a latency
 * histogram by method, route pattern and status), connections and WebSockets
 * and the frames sent over them, the process figures every Prometheus client
 * gives (CPU, resident memory, heap, open file descriptors, event-loop lag,
 * garbage collection), plus what the workspaces hold: runs and steps by
 * status, tokens, cost, cache activity and bytes on disk, taken from a
 * {@link MetricsSnapshot} the server builds at scrape time.
 *
 * Routes are labelled with Hono's route pattern (`/api/runs/:id`), never the
 * raw path, so run ids cannot blow up the number of series.
 *
 * @example
 * ```ts
 * const metrics = new Metrics();
 * app.use(metricsMiddleware(metrics));
 * app.get("/metrics", async (context) =>
 *   context.body(await metrics.render(await snapshot()), 200, {
 *     "content-type": PROMETHEUS_CONTENT_TYPE,
 *   }));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** The content type of {@link Metrics.render}'s output (the text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Latency histogram bucket bounds in seconds (Prometheus' defaults). */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Cache activity of one workspace (engine/cache/cache_stats.ts `CacheStats` fits). */
export interface CacheMetrics {
  hits: number;
  misses: number;
  writes?: number;
  evictions?: number;
  /** Entries currently stored, when the store can tell. */
  entries?: number;
  /** Bytes currently stored, when the store can tell. */
  bytes?: number;
}

/** What one workspace holds at scrape time. */
export interface WorkspaceMetrics {
  /** Workspace name; becomes the `workspace` label. */
  workspace: string;
  /** Number of runs per run status (`running`, `completed`, …); absent statuses count 0. */
  runsByStatus: Record<string, number>;
  /** Number of steps, over every run, per step status (`pending`, `awaiting_selection`, …). */
  stepsByStatus: Record<string, number>;
  /** Tokens spent by every run of the workspace. */
  tokens: { input: number; output: number };
  /** US dollars spent by every run of the workspace. */
  costUsd: number;
  /** Cache activity; omitted when the workspace has no cache. */
  cache?: CacheMetrics;
  /** Where the workspace is stored and how many bytes it takes, when the backend can tell. */
  storage?: { backend: string; bytes?: number };
}

/** Everything {@link Metrics.render} needs beyond what the process counted itself. */
export interface MetricsSnapshot {
  workspaces: WorkspaceMetrics[];
}

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** Histogram bucket bounds in seconds, ascending (default {@link DEFAULT_LATENCY_BUCKETS}). */
  latencyBuckets?: readonly number[];
  /** Metric name prefix (default `writeit_`). */
  prefix?: string;
  /** Also report the process figures (CPU, memory, heap, file descriptors, event loop; default true). */
  processMetrics?: boolean;
}

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Frame types beyond this many distinct values are counted as `other`. */
const MAX_FRAME_TYPES = 32;

/** Process-wide counters plus the exposition of a workspace snapshot. */
export class Metrics {
  readonly #prefix: string;
  readonly #registry = new Registry();
  readonly #requests: Counter<"method" | "route" | "status">;
  readonly #latency: Histogram<"method" | "route" | "status">;
  readonly #openSocketsGauge: Gauge;
  readonly #socketsOpened: Counter;
  readonly #framesSent: Counter<"type">;
  readonly #framesReceived: Counter<"action">;
  readonly #refused: Counter<"status">;
  readonly #frameTypes = new Set<string>();
  readonly #actions = new Set<string>();
  #openSockets = 0;
  #connections: () => number = () => 0;

  constructor(options: MetricsOptions = {}) {
    const buckets = [...(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.some((bound, index) => !(bound > (buckets[index - 1] ?? -Infinity)))) {
      throw new RangeError(
        `Histogram buckets must be ascending numbers, got ${JSON.stringify(buckets)}: sort them`,
      );
    }
    this.#prefix = options.prefix ?? "writeit_";
    const name = (suffix: string) => `${this.#prefix}${suffix}`;
    const registers = [this.#registry];
    this.#requests = new Counter({
      name: name("http_requests_total"),
      help: "HTTP requests by method, route pattern and status.",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.#latency = new Histogram({
      name: name("http_request_duration_seconds"),
      help: "HTTP request latency in seconds.",
      labelNames: ["method", "route", "status"],
      buckets,
      registers,
    });
    const connections = () => this.#connections();
    new Gauge({
      name: name("http_connections"),
      help: "HTTP connections open now.",
      registers,
      collect() {
        this.set(connections());
      },
    });
    this.#refused = new Counter({
      name: name("http_connections_refused_total"),
      help: "Connections or requests the gate refused, by status.",
      labelNames: ["status"],
      registers,
    });
    this.#openSocketsGauge = new Gauge({
      name: name("websocket_connections"),
      help: "WebSocket connections open now.",
      registers,
    });
    this.#socketsOpened = new Counter({
      name: name("websocket_connections_opened_total"),
      help: "WebSocket connections accepted since start.",
      registers,
    });
    this.#framesSent = new Counter({
      name: name("websocket_messages_sent_total"),
      help: "WebSocket frames sent, by frame type.",
      labelNames: ["type"],
      registers,
    });
    this.#framesReceived = new Counter({
      name: name("websocket_messages_received_total"),
      help: "WebSocket frames received, by action.",
      labelNames: ["action"],
      registers,
    });
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.#registry, prefix: this.#prefix });
    }
  }

  /** Counts one HTTP request that took `seconds`. */
  observeRequest(
    request: { method: string; route: string; status: number },
    seconds: number,
  ): void {
    const labels = {
      method: KNOWN_METHODS.has(request.method) ? request.method : "OTHER",
      route: request.route,
      status: String(request.status),
    };
    this.#requests.inc(labels);
    this.#latency.observe(labels, seconds);
  }

  /** The connection gate refused a connection or request with `status`. */
  connectionRefused(status: number): void {
    this.#refused.inc({ status: String(status) });
  }

  /** Where `writeit_http_connections` reads the number of open connections from. */
  watchConnections(count: () => number): void {
    this.#connections = count;
  }

  /** A WebSocket was accepted. */
  socketOpened(): void {
    this.#openSockets += 1;
    this.#openSocketsGauge.set(this.#openSockets);
    this.#socketsOpened.inc();
  }

  /** A WebSocket closed. */
  socketClosed(): void {
    this.#openSockets = Math.max(0, this.#openSockets - 1);
    this.#openSocketsGauge.set(this.#openSockets);
  }

  /** A frame of `type` (`hello`, `event`, `chunk`, …) was sent; `count` frames at once for fan-out. */
  messageSent(type: string, count = 1): void {
    this.#framesSent.inc({ type: bounded(this.#frameTypes, type) }, count);
  }

  /** A client frame with `action` (`select`, `ping`, … or `invalid`) was received. */
  messageReceived(action: string): void {
    this.#framesReceived.inc({ action: bounded(this.#actions, action) });
  }

  /** Currently open WebSockets. */
  get openSockets(): number {
    return this.#openSockets;
  }

  /** The exposition text: this process' figures followed by the snapshot's. */
  async render(snapshot: MetricsSnapshot): Promise<string> {
    const own = await this.#registry.metrics();
    const workspaces = await workspaceRegistry(this.#prefix, snapshot.workspaces).metrics();
    return `${own.trimEnd()}\n\n${workspaces.trimEnd()}\n`;
  }
}

function bounded(seen: Set<string>, label: string): string {
  if (seen.has(label)) return label;
  if (seen.size >= MAX_FRAME_TYPES) return "other";
  seen.add(label);
  return label;
}

type Family = [suffix: string, help: string, labels: string[], kind: "counter" | "gauge"];

/** A registry holding one scrape's workspace figures; families with no sample are left out. */
function workspaceRegistry(prefix: string, workspaces: WorkspaceMetrics[]): Registry {
  const registry = new Registry();
  const add = (
    [suffix, help, labelNames, kind]: Family,
    samples: Array<[Record<string, string>, number]>,
  ) => {
    const options = { name: `${prefix}${suffix}`, help, labelNames, registers: [registry] };
    if (kind === "counter") {
      const counter = new Counter(options);
      for (const [labels, value] of samples) counter.inc(labels, value);
    } else {
      const gauge = new Gauge(options);
      for (const [labels, value] of samples) gauge.set(labels, value);
    }
  };
  const each = <T>(pick: (entry: WorkspaceMetrics) => Array<[Record<string, string>, T]>) =>
    workspaces.flatMap(pick);
  add(
    ["runs", "Runs by status.", ["workspace", "status"], "gauge"],
    each((entry) =>
      Object.entries(entry.runsByStatus).map(([status, count]) => [
        { workspace: entry.workspace, status },
        count,
      ])
    ),
  );
  add(
    ["steps", "Steps of every run by status.", ["workspace", "status"], "gauge"],
    each((entry) =>
      Object.entries(entry.stepsByStatus).map(([status, count]) => [
        { workspace: entry.workspace, status },
        count,
      ])
    ),
  );
  add(
    ["tokens_total", "Tokens spent by runs, by direction (input or output).", [
      "workspace",
      "direction",
    ], "counter"],
    each((entry) => [
      [{ workspace: entry.workspace, direction: "input" }, entry.tokens.input],
      [{ workspace: entry.workspace, direction: "output" }, entry.tokens.output],
    ]),
  );
  add(
    ["cost_usd_total", "US dollars spent by runs.", ["workspace"], "counter"],
    each((entry) => [[{ workspace: entry.workspace }, entry.costUsd]]),
  );
  const cacheFamilies: Array<[keyof CacheMetrics, Family]> = [
    ["hits", ["cache_hits_total", "Model response cache hits.", ["workspace"], "counter"]],
    ["misses", ["cache_misses_total", "Model response cache misses.", ["workspace"], "counter"]],
    ["writes", [
      "cache_writes_total",
      "Model responses stored in the cache.",
      ["workspace"],
      "counter",
    ]],
    ["evictions", [
      "cache_evictions_total",
      "Cache entries evicted by its bounds.",
      ["workspace"],
      "counter",
    ]],
    ["entries", ["cache_entries", "Entries in the cache now.", ["workspace"], "gauge"]],
    ["bytes", ["cache_bytes", "Bytes held by the cache now.", ["workspace"], "gauge"]],
  ];
  for (const [field, family] of cacheFamilies) {
    const samples = each((entry): Array<[Record<string, string>, number]> =>
      entry.cache?.[field] === undefined
        ? []
        : [[{ workspace: entry.workspace }, entry.cache[field]!]]
    );
    if (samples.length > 0 || field === "hits" || field === "misses") add(family, samples);
  }
  const storage = each((entry): Array<[Record<string, string>, number]> =>
    entry.storage?.bytes === undefined
      ? []
      : [[{ workspace: entry.workspace, backend: entry.storage.backend }, entry.storage.bytes]]
  );
  if (storage.length > 0) {
    add(["storage_bytes", "Bytes the workspace's data takes in its backend.", [
      "workspace",
      "backend",
    ], "gauge"], storage);
  }
  return registry;
}

/**
 * The registered route pattern that answered the request (`/api/runs/:id`),
 * the pattern of the middleware that answered (such as `/api/*` for a 401),
 * or `unmatched` when nothing but middleware matched and the answer is 404.
 * Call it after `await next()`.
 */
export function routePattern(context: Context): string {
  let routes;
  try {
    routes = matchedRoutes(context);
  } catch {
    return "unmatched";
  }
  const route = routes[context.req.routeIndex];
  if (!route) return "unmatched";
  const isMiddleware = route.handler.length >= 2;
  const isLast = context.req.routeIndex === routes.length - 1;
  if (isMiddleware && isLast && context.res.status === 404) return "unmatched";
  return route.path;
}

/** Options of {@link metricsMiddleware}. */
export interface MetricsMiddlewareOptions {
  /** Monotonic clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/**
 * A Hono middleware that times every request and counts it in `metrics`.
 * Mount it first (`app.use(metricsMiddleware(metrics))`) so it sees the
 * final status, including errors turned into problem documents.
 */
export function metricsMiddleware(
  metrics: Metrics,
  options: MetricsMiddlewareOptions = {},
): MiddlewareHandler {
  const now = options.now ?? (() => performance.now());
  return async function recordMetrics(context, next) {
    const started = now();
    try {
      await next();
    } finally {
      const seconds = Math.max(0, now() - started) / 1000;
      metrics.observeRequest(
        { method: context.req.method, route: routePattern(context), status: context.res.status },
        seconds,
      );
    }
  };
}
