/**
 * Baseline for bench/metrics_bench.ts: the hand-written Prometheus exposition
 * /metrics used before prom-client, kept unchanged so the bench can time it
 * in the same run.
 */
/**
 * Prometheus metrics in the text exposition format 0.0.4: HTTP requests
 * (a counter and a latency histogram by method, route pattern and status),
 * open WebSockets and the frames sent over them, plus what the workspaces
 * hold — runs and steps by status, tokens, cost and cache activity — taken
 * from a {@link MetricsSnapshot} the server builds at scrape time.
 *
 * Routes are labelled with Hono's route pattern (`/api/runs/:id`), never the
 * raw path, so run ids cannot blow up the number of series.
 *
 * @example
 * ```ts
 * const metrics = new Metrics();
 * app.use(metricsMiddleware(metrics));
 * app.get("/metrics", async (context) =>
 *   context.body(metrics.render(await snapshot()), 200, {
 *     "content-type": PROMETHEUS_CONTENT_TYPE,
 *   }));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";

/** The content type of {@link Metrics.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

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
}

interface HttpSeries {
  /** `method="GET",route="/api/runs/:id",status="200"`, escaped once. */
  labelText: string;
  count: number;
  sum: number;
  buckets: number[];
}

type Labels = Record<string, string>;

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Frame types beyond this many distinct values are counted as `other`. */
const MAX_FRAME_TYPES = 32;

/** Process-wide counters plus the exposition of a workspace snapshot. */
export class Metrics {
  readonly #buckets: readonly number[];
  readonly #prefix: string;
  readonly #http = new Map<string, HttpSeries>();
  #openSockets = 0;
  readonly #connectionsRefused = new Map<string, number>();
  #socketsOpened = 0;
  readonly #framesSent = new Map<string, number>();
  readonly #framesReceived = new Map<string, number>();

  constructor(options: MetricsOptions = {}) {
    const buckets = [...(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.some((bound, index) => !(bound > (buckets[index - 1] ?? -Infinity)))) {
      throw new RangeError(
        `Histogram buckets must be ascending numbers, got ${JSON.stringify(buckets)}: sort them`,
      );
    }
    this.#buckets = buckets;
    this.#prefix = options.prefix ?? "writeit_";
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
    const key = `${labels.method}\u0000${labels.route}\u0000${labels.status}`;
    let series = this.#http.get(key);
    if (!series) {
      series = {
        labelText: labelText(labels),
        count: 0,
        sum: 0,
        buckets: this.#buckets.map(() => 0),
      };
      this.#http.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    for (let index = 0; index < this.#buckets.length; index++) {
      if (seconds <= this.#buckets[index]) series.buckets[index] += 1;
    }
  }

  /** The connection gate refused a connection or request with `status`. */
  connectionRefused(status: number): void {
    addTo(this.#connectionsRefused, String(status), 1);
  }

  /** A WebSocket was accepted. */
  socketOpened(): void {
    this.#openSockets += 1;
    this.#socketsOpened += 1;
  }

  /** A WebSocket closed. */
  socketClosed(): void {
    this.#openSockets = Math.max(0, this.#openSockets - 1);
  }

  /** A frame of `type` (`hello`, `event`, `chunk`, …) was sent; `count` frames at once for fan-out. */
  messageSent(type: string, count = 1): void {
    addTo(this.#framesSent, type, count);
  }

  /** A client frame with `action` (`select`, `ping`, … or `invalid`) was received. */
  messageReceived(action: string): void {
    addTo(this.#framesReceived, action, 1);
  }

  /** Currently open WebSockets. */
  get openSockets(): number {
    return this.#openSockets;
  }

  /** The exposition text: this process' counters followed by the snapshot's. */
  render(snapshot: MetricsSnapshot): string {
    const out: string[] = [];
    const name = (suffix: string) => `${this.#prefix}${suffix}`;

    const requests = name("http_requests_total");
    family(out, requests, "counter", "HTTP requests by method, route pattern and status.");
    for (const series of this.#http.values()) {
      out.push(`${requests}{${series.labelText}} ${formatNumber(series.count)}`);
    }

    const latency = name("http_request_duration_seconds");
    family(out, latency, "histogram", "HTTP request latency in seconds.");
    const bounds = this.#buckets.map(formatNumber);
    for (const series of this.#http.values()) {
      const labels = series.labelText;
      for (let index = 0; index < bounds.length; index++) {
        out.push(`${latency}_bucket{${labels},le="${bounds[index]}"} ${series.buckets[index]}`);
      }
      out.push(`${latency}_bucket{${labels},le="+Inf"} ${series.count}`);
      out.push(`${latency}_sum{${labels}} ${formatNumber(series.sum)}`);
      out.push(`${latency}_count{${labels}} ${series.count}`);
    }

    const open = name("websocket_connections");
    family(out, open, "gauge", "WebSocket connections open now.");
    sample(out, open, {}, this.#openSockets);
    const opened = name("websocket_connections_opened_total");
    family(out, opened, "counter", "WebSocket connections accepted since start.");
    sample(out, opened, {}, this.#socketsOpened);
    const sent = name("websocket_messages_sent_total");
    family(out, sent, "counter", "WebSocket frames sent, by frame type.");
    for (const [type, count] of this.#framesSent) sample(out, sent, { type }, count);
    const received = name("websocket_messages_received_total");
    family(out, received, "counter", "WebSocket frames received, by action.");
    for (const [action, count] of this.#framesReceived) sample(out, received, { action }, count);

    const refused = name("http_connections_refused_total");
    family(out, refused, "counter", "Connections or requests the gate refused, by status.");
    for (const [status, count] of this.#connectionsRefused) sample(out, refused, { status }, count);

    renderWorkspaces(out, name, snapshot.workspaces);
    return out.join("\n") + "\n";
  }
}

function renderWorkspaces(
  out: string[],
  name: (suffix: string) => string,
  workspaces: WorkspaceMetrics[],
): void {
  const runs = name("runs");
  family(out, runs, "gauge", "Runs by status.");
  for (const entry of workspaces) {
    for (const [status, count] of Object.entries(entry.runsByStatus)) {
      sample(out, runs, { workspace: entry.workspace, status }, count);
    }
  }
  const steps = name("steps");
  family(out, steps, "gauge", "Steps of every run by status.");
  for (const entry of workspaces) {
    for (const [status, count] of Object.entries(entry.stepsByStatus)) {
      sample(out, steps, { workspace: entry.workspace, status }, count);
    }
  }
  const tokens = name("tokens_total");
  family(out, tokens, "counter", "Tokens spent by runs, by direction (input or output).");
  for (const entry of workspaces) {
    sample(out, tokens, { workspace: entry.workspace, direction: "input" }, entry.tokens.input);
    sample(out, tokens, { workspace: entry.workspace, direction: "output" }, entry.tokens.output);
  }
  const cost = name("cost_usd_total");
  family(out, cost, "counter", "US dollars spent by runs.");
  for (const entry of workspaces) sample(out, cost, { workspace: entry.workspace }, entry.costUsd);

  const cacheFamilies: [keyof CacheMetrics, string, "counter" | "gauge", string][] = [
    ["hits", "cache_hits_total", "counter", "Model response cache hits."],
    ["misses", "cache_misses_total", "counter", "Model response cache misses."],
    ["writes", "cache_writes_total", "counter", "Model responses stored in the cache."],
    ["evictions", "cache_evictions_total", "counter", "Cache entries evicted by its bounds."],
    ["entries", "cache_entries", "gauge", "Entries in the cache now."],
    ["bytes", "cache_bytes", "gauge", "Bytes held by the cache now."],
  ];
  for (const [field, suffix, type, help] of cacheFamilies) {
    const present = workspaces.filter((entry) => entry.cache?.[field] !== undefined);
    if (present.length === 0 && field !== "hits" && field !== "misses") continue;
    family(out, name(suffix), type, help);
    for (const entry of present) {
      sample(out, name(suffix), { workspace: entry.workspace }, entry.cache![field] as number);
    }
  }
}

function addTo(counts: Map<string, number>, key: string, count: number): void {
  const label = counts.has(key) || counts.size < MAX_FRAME_TYPES ? key : "other";
  counts.set(label, (counts.get(label) ?? 0) + count);
}

function family(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
}

function labelText(labels: Labels): string {
  return Object.entries(labels).map(([key, text]) => `${key}="${escapeLabelValue(text)}"`).join(
    ",",
  );
}

function sample(out: string[], name: string, labels: Labels, value: number): void {
  const text = labelText(labels);
  out.push(`${name}${text ? `{${text}}` : ""} ${formatNumber(value)}`);
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Formats a sample value as Prometheus expects (`+Inf`, `-Inf`, `NaN`, Go-style floats). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
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
