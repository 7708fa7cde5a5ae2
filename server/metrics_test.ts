import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  Metrics,
  metricsMiddleware,
  type MetricsSnapshot,
  PROMETHEUS_CONTENT_TYPE,
} from "./metrics.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

/** A strict parser of the text format 0.0.4; throws on anything malformed. */
function parseExposition(text: string): Exposition {
  assert.ok(text.endsWith("\n"), "the exposition ends with a line feed");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const closed = new Set<string>();
  let current = "";
  const familyOf = (name: string) => {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && types.get(base) === "histogram") return base;
    }
    return name;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue; // the format ignores empty lines
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      if (kind === "HELP") {
        assert.ok(!help.has(name), `one HELP for ${name}`);
        assert.ok(!/(^|[^\\])\\[^\\n]/.test(rest), `HELP escapes only \\ and \\n: ${rest}`);
        help.set(name, rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\"));
      } else {
        assert.ok(!types.has(name), `one TYPE for ${name}`);
        assert.ok(["counter", "gauge", "histogram", "summary", "untyped"].includes(rest));
        types.set(name, rest);
      }
      if (current !== name) closed.add(current);
      assert.ok(!closed.has(name), `family ${name} is contiguous`);
      current = name;
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `malformed line: ${JSON.stringify(line)}`);
    const [, name, , labelText = "", valueText] = match;
    const labels: Record<string, string> = {};
    let rest = labelText;
    while (rest.length) {
      const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
      assert.ok(pair, `malformed labels: ${labelText}`);
      labels[pair[1]] = pair[2].replace(/\\(["\\n])/g, (_, c) => c === "n" ? "\n" : c);
      rest = rest.slice(pair[0].length);
    }
    const value = valueText === "+Inf"
      ? Infinity
      : valueText === "-Inf"
      ? -Infinity
      : /^nan$/i.test(valueText) // as Prometheus reads it (Go's ParseFloat), any case
      ? NaN
      : Number(valueText);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(valueText), `bad value ${valueText}`);
    const familyName = familyOf(name);
    assert.ok(types.has(familyName), `TYPE precedes samples of ${name}`);
    assert.equal(familyName, current, `sample ${name} sits in its own family`);
    samples.push({ name, labels, value });
  }
  for (const name of types.keys()) assert.ok(help.has(name), `HELP for ${name}`);
  return { types, help, samples };
}

function find(exposition: Exposition, name: string, labels: Record<string, string>): number {
  const found = exposition.samples.filter((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  );
  assert.equal(found.length, 1, `one sample ${name} ${JSON.stringify(labels)}`);
  return found[0].value;
}

const snapshot: MetricsSnapshot = {
  workspaces: [
    {
      workspace: "default",
      runsByStatus: { running: 2, completed: 5 },
      stepsByStatus: { pending: 3, awaiting_selection: 1 },
      tokens: { input: 1200, output: 340 },
      costUsd: 0.0125,
      cache: { hits: 7, misses: 3, entries: 10, bytes: 4096 },
      storage: { backend: "lmdb", bytes: 65536 },
    },
    {
      workspace: 'odd "name"\\\nx',
      runsByStatus: { failed: 1 },
      stepsByStatus: {},
      tokens: { input: 0, output: 0 },
      costUsd: 0,
    },
  ],
};

Deno.test("Metrics.render() writes HELP and TYPE lines and parses back", async () => {
  const metrics = new Metrics();
  metrics.observeRequest({ method: "GET", route: "/api/runs/:id", status: 200 }, 0.003);
  metrics.observeRequest({ method: "GET", route: "/api/runs/:id", status: 200 }, 0.2);
  metrics.observeRequest({ method: "GET", route: "/api/runs/:id", status: 200 }, 30);
  metrics.socketOpened();
  metrics.socketOpened();
  metrics.socketClosed();
  metrics.messageSent("event", 3);
  metrics.messageSent("chunk");
  metrics.messageReceived("select");
  metrics.watchConnections(() => 4);
  const parsed = parseExposition(await metrics.render(snapshot));

  assert.equal(parsed.types.get("writeit_http_requests_total"), "counter");
  assert.equal(parsed.types.get("writeit_http_request_duration_seconds"), "histogram");
  assert.equal(parsed.types.get("writeit_websocket_connections"), "gauge");
  assert.equal(parsed.types.get("writeit_runs"), "gauge");
  assert.equal(parsed.types.get("writeit_cache_hits_total"), "counter");
  const labels = { method: "GET", route: "/api/runs/:id", status: "200" };
  assert.equal(find(parsed, "writeit_http_requests_total", labels), 3);
  const bucket = (le: string) =>
    find(parsed, "writeit_http_request_duration_seconds_bucket", { ...labels, le });
  assert.equal(bucket("0.005"), 1);
  assert.equal(bucket("0.1"), 1);
  assert.equal(bucket("0.25"), 2);
  assert.equal(bucket("10"), 2);
  assert.equal(bucket("+Inf"), 3);
  assert.equal(find(parsed, "writeit_http_request_duration_seconds_count", labels), 3);
  assert.ok(
    Math.abs(find(parsed, "writeit_http_request_duration_seconds_sum", labels) - 30.203) < 1e-9,
  );
  const buckets = parsed.samples.filter((sample) => sample.name.endsWith("_bucket"));
  for (let index = 1; index < buckets.length; index++) {
    assert.ok(buckets[index].value >= buckets[index - 1].value, "buckets are cumulative");
  }
  assert.equal(find(parsed, "writeit_websocket_connections", {}), 1);
  assert.equal(find(parsed, "writeit_http_connections", {}), 4);
  assert.equal(find(parsed, "writeit_websocket_connections_opened_total", {}), 2);
  assert.equal(find(parsed, "writeit_websocket_messages_sent_total", { type: "event" }), 3);
  assert.equal(find(parsed, "writeit_websocket_messages_received_total", { action: "select" }), 1);

  assert.equal(find(parsed, "writeit_runs", { workspace: "default", status: "running" }), 2);
  assert.equal(find(parsed, "writeit_steps", { status: "awaiting_selection" }), 1);
  assert.equal(
    find(parsed, "writeit_tokens_total", { workspace: "default", direction: "input" }),
    1200,
  );
  assert.equal(find(parsed, "writeit_cost_usd_total", { workspace: "default" }), 0.0125);
  assert.equal(find(parsed, "writeit_cache_misses_total", { workspace: "default" }), 3);
  assert.equal(find(parsed, "writeit_cache_bytes", { workspace: "default" }), 4096);
  assert.equal(find(parsed, "writeit_runs", { workspace: 'odd "name"\\\nx' }), 1);
  assert.equal(find(parsed, "writeit_storage_bytes", { workspace: "default" }), 65536);
  assert.ok(
    !parsed.types.has("writeit_cache_writes_total"),
    "absent optional families are left out",
  );
  // The figures every Prometheus client gives, from the process itself.
  assert.equal(parsed.types.get("writeit_process_resident_memory_bytes"), "gauge");
  assert.ok(find(parsed, "writeit_process_resident_memory_bytes", {}) > 10_000_000);
  assert.ok(find(parsed, "writeit_process_cpu_seconds_total", {}) > 0);
  assert.ok(find(parsed, "writeit_process_open_fds", {}) > 2);
  assert.ok(find(parsed, "writeit_nodejs_heap_size_used_bytes", {}) > 0);
  assert.equal(parsed.types.get("writeit_nodejs_eventloop_lag_seconds"), "gauge");
});

Deno.test("Metrics.messageSent() folds unbounded frame types into other", async () => {
  const metrics = new Metrics();
  for (let index = 0; index < 100; index++) metrics.messageSent(`type-${index}`);
  const parsed = parseExposition(await metrics.render({ workspaces: [] }));
  const sent = parsed.samples.filter((sample) =>
    sample.name === "writeit_websocket_messages_sent_total"
  );
  assert.equal(sent.length, 33);
  assert.equal(find(parsed, "writeit_websocket_messages_sent_total", { type: "other" }), 68);
});

Deno.test("new Metrics() refuses unsorted buckets", () => {
  assert.throws(() => new Metrics({ latencyBuckets: [1, 0.5] }), RangeError);
});

Deno.test("metricsMiddleware() labels requests by route pattern, never the raw path", async () => {
  const metrics = new Metrics();
  let clock = 0;
  const app = new Hono();
  app.onError((error, context) =>
    context.text("failed", error instanceof HTTPException ? error.status : 500)
  );
  app.use(metricsMiddleware(metrics, { now: () => (clock += 5) }));
  app.use("/api/*", async function guard(context, next) {
    if (context.req.header("x-deny")) return context.text("denied", 401);
    await next();
  });
  const runs = new Hono();
  runs.get("/:id", (context) => context.json({ id: context.req.param("id") }));
  runs.post("/:id/boom", () => {
    throw new Error("boom");
  });
  app.route("/api/runs", runs);
  app.get(
    "/metrics",
    async (context) =>
      context.body(await metrics.render({ workspaces: [] }), 200, {
        "content-type": PROMETHEUS_CONTENT_TYPE,
      }),
  );

  for (const id of ["run-1", "run-2", "run-3"]) {
    assert.equal((await app.request(`/api/runs/${id}`)).status, 200);
  }
  assert.equal((await app.request("/api/runs/run-9/boom", { method: "POST" })).status, 500);
  assert.equal((await app.request("/api/runs/x", { headers: { "x-deny": "1" } })).status, 401);
  assert.equal((await app.request("/nothing/here/123")).status, 404);
  assert.equal((await app.request("/api/nothing/456")).status, 404);
  assert.equal((await app.request("/api/runs/x", { method: "BREW" })).status, 404);

  const response = await app.request("/metrics");
  assert.equal(response.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  const parsed = parseExposition(await response.text());
  const count = (labels: Record<string, string>) =>
    find(parsed, "writeit_http_requests_total", labels);
  assert.equal(count({ method: "GET", route: "/api/runs/:id", status: "200" }), 3);
  assert.equal(count({ method: "POST", route: "/api/runs/:id/boom", status: "500" }), 1);
  assert.equal(count({ method: "GET", route: "/api/*", status: "401" }), 1);
  assert.equal(count({ method: "GET", route: "unmatched", status: "404" }), 2);
  assert.equal(count({ method: "OTHER", route: "unmatched", status: "404" }), 1);
  const routes = parsed.samples.map((sample) => sample.labels.route).filter(Boolean);
  assert.ok(!routes.some((route) => /run-\d|nothing/.test(route)), routes.join(","));
  assert.equal(
    find(parsed, "writeit_http_request_duration_seconds_sum", {
      method: "GET",
      route: "/api/runs/:id",
      status: "200",
    }),
    0.015,
  );
});
