/**
 * Property-based fuzzing of the server's edges with fast-check: hostile JSON
 * bodies (wrong types, huge strings, deep nesting, unicode, prototype keys,
 * malformed text, odd content types) POSTed to every POST route, arbitrary
 * paths and query strings on the GET routes (in-process through
 * `createApp`), and hostile WebSocket messages to a real run over a real
 * socket. Properties: never a 500; every rejection is an
 * `application/problem+json` document with a `code` and a non-empty
 * `detail`; no stack trace or server path in any answer; the server still
 * answers health afterwards; a socket never drops, and every message with an
 * id gets exactly one `ack` or `error` with that id.
 *
 * fast-check prints the seed and the shrunk counterexample of a failure; set
 * WRITEIT_FUZZ_SEED to replay one.
 */
import assert from "node:assert/strict";
import { SESSION_ACTIONS } from "../engine/run_session.ts";
import fc from "fast-check";
import { createApp } from "../routes/app.ts";
import { SOCKET_ACTIONS } from "../protocol/mod.ts";
import { serve } from "../serve.ts";
import { WorkspaceHub } from "../server/workspace_hub.ts";
import { temporaryHome } from "./cli_harness.ts";

type Json = Record<string, unknown>;

const SEED = Deno.env.get("WRITEIT_FUZZ_SEED");
const REPOSITORY = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** fast-check parameters: a replayable seed when given, and a time cap per property. */
function parameters(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns,
    // A request that never answers fails its run (with seed and counterexample) instead of hanging.
    timeout: 20_000,
    ...(SEED ? { seed: Number(SEED) } : {}),
    plugins: [fc.interruptAfterTimeLimit(25_000)],
  };
}

/** Every action route of a run (and the seed's `/execute`). */
const ACTIONS = [...SESSION_ACTIONS, "execute"];

/** Step ids worth trying: real ones, prototype keys, empty. */
const STEP_IDS = fc.constantFrom(
  "plan",
  "write",
  "polish",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "",
  "../plan",
);

/** Any JSON value, sometimes a plausible one. */
const ANY_FIELD = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  STEP_IDS,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(-1, 0, 1, 1.5, 1e308, -0, 2 ** 53, true, false, null),
);

/** Values for the API's field names: mostly plausible, often of the wrong type. */
const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  stepId: fc.oneof(STEP_IDS, ANY_FIELD),
  index: fc.oneof(fc.integer({ min: -2, max: 12 }), ANY_FIELD),
  responseId: ANY_FIELD,
  responseIds: fc.oneof(fc.array(ANY_FIELD, { maxLength: 4 }), ANY_FIELD),
  text: fc.oneof(fc.string({ maxLength: 50 }), ANY_FIELD),
  regenerate: ANY_FIELD,
  reason: ANY_FIELD,
  fromStepId: fc.oneof(STEP_IDS, ANY_FIELD),
  toStepId: fc.oneof(STEP_IDS, ANY_FIELD),
  start: ANY_FIELD,
  autoSelect: ANY_FIELD,
  pipeline: fc.oneof(fc.constantFrom("quick-article", "tech-article", "constructor"), ANY_FIELD),
  inputs: fc.oneof(
    fc.record({ topic: ANY_FIELD, audience: ANY_FIELD }, { requiredKeys: [] }),
    fc.dictionary(fc.string(), ANY_FIELD, { maxKeys: 4 }),
    ANY_FIELD,
  ),
  model: fc.oneof(fc.constantFrom("offline", "offline/x", "gpt-4o", "nope"), ANY_FIELD),
  style: ANY_FIELD,
  responses: ANY_FIELD,
  name: fc.oneof(
    fc.constantFrom("quick-article", "fuzz", "constructor", "a".repeat(101)),
    ANY_FIELD,
  ),
  yaml: ANY_FIELD,
  instructions: ANY_FIELD,
  rating: fc.oneof(fc.constantFrom("up", "down", "none", "meh"), ANY_FIELD),
  note: fc.oneof(fc.string({ maxLength: 50 }), ANY_FIELD),
};

/** The fields each route reads (per protocol/rest.ts). */
const ROUTE_FIELDS: Record<string, string[]> = {
  runs: ["pipeline", "inputs", "style", "model", "responses", "autoSelect", "start"],
  pipelines: ["name", "yaml"],
  validate: ["yaml", "name"],
  workspaces: ["name"],
  start: ["autoSelect"],
  execute: ["autoSelect"],
  select: ["stepId", "index", "responseId"],
  merge: ["stepId", "responseIds", "instructions", "model"],
  edit: ["stepId", "text"],
  feedback: ["stepId", "text", "regenerate"],
  regenerate: ["stepId"],
  skip: ["stepId", "reason"],
  rate: ["stepId", "responseId", "rating", "note"],
  branch: ["fromStepId", "start"],
  rewind: ["toStepId"],
  pause: ["reason"],
  resume: ["model"],
  cancel: ["reason"],
};

/** Objects with some of `keys` (values of any type), now and then an unknown extra field. */
function fieldsOf(keys: string[]): fc.Arbitrary<Json> {
  const values = Object.fromEntries(keys.map((key) => [key, FIELD_VALUES[key]]));
  const record = fc.oneof(
    fc.record(values, { requiredKeys: [] }),
    fc.shuffledSubarray(keys, { minLength: Math.min(1, keys.length) }).chain((present) =>
      fc.record(Object.fromEntries(present.map((key) => [key, values[key]])))
    ),
  ) as fc.Arbitrary<Json>;
  return fc.tuple(record, fc.option(fc.constantFrom(...Object.keys(FIELD_VALUES)), { freq: 8 }))
    .chain(([fields, extra]) =>
      extra === null
        ? fc.constant(fields)
        : FIELD_VALUES[extra].map((value) => ({ ...fields, [extra]: value }))
    );
}

/** Objects carrying any of the API's field names. */
const KNOWN_FIELDS = fieldsOf(Object.keys(FIELD_VALUES));

/** Prototype-pollution attempts as JSON text (JSON.stringify cannot write `__proto__` keys). */
const POLLUTION = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"stepId":"plan","__proto__":{"index":0}}',
  '{"pipeline":"quick-article","inputs":{"__proto__":{"polluted":true},"topic":"x"},"model":"offline"}',
  '{"name":"__proto__"}',
  '{"name":"constructor","yaml":"metadata: {name: x}"}',
  '{"yaml":"__proto__: {polluted: true}\\nmetadata: {name: x}"}',
);

/** Request body texts for a route: its fields of any type, any JSON, broken, huge and deep JSON. */
const bodyText = (keys: string[]) =>
  fc.oneof(
    { arbitrary: fieldsOf(keys).map((value) => JSON.stringify(value)), weight: 6 },
    { arbitrary: fc.json({ maxDepth: 4 }), weight: 2 },
    { arbitrary: KNOWN_FIELDS.map((value) => JSON.stringify(value)), weight: 1 },
    { arbitrary: fc.anything().map((value) => JSON.stringify(value) ?? ""), weight: 1 },
    { arbitrary: POLLUTION, weight: 2 },
    {
      // Malformed: valid JSON cut short, or with garbage appended.
      arbitrary: fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 })).map((
        [text, cut, tail],
      ) => text.slice(0, cut % Math.max(1, text.length)) + tail),
      weight: 2,
    },
    { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
    {
      arbitrary: fc.tuple(fc.constantFrom(100, 5_000, 100_000), fc.constantFrom("[", '{"a":'))
        .map(([depth, open]) =>
          open.repeat(depth) + "1" + (open === "[" ? "]" : "}").repeat(depth)
        ),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(
        fc.constantFrom("stepId", "text", "yaml", "name", "pipeline", "reason"),
        fc.constantFrom(10_000, 300_000, 1_100_000),
        fc.constantFrom("x", "é", "😀", "\u0000", "\\"),
      ).map(([field, size, unit]) =>
        JSON.stringify({ [field]: unit.repeat(size), stepId: "plan" })
      ),
      weight: 1,
    },
  );

/** Content types: JSON and JSON-like ones, others, junk, none. */
const CONTENT_TYPE = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      "application/json; charset=utf-8",
      "application/problem+json",
      "application/merge-patch+json",
      "APPLICATION/JSON",
      "text/plain",
      "text/yaml",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "application/jsonx",
      "",
      ";;;",
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ maxLength: 60 }).filter(isHeaderValue), weight: 1 },
);

/** Whether a string can be sent as a header value (ByteString, no newlines). */
function isHeaderValue(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) && value.trim() === value;
}

/** Stack-trace and file-location patterns that must never reach a client. */
const LEAKS = [/\n\s+at \S/, /file:\/\//, /\.tsx?:\d+:\d+/];

/** What a property checks of each answer. */
type Check = "explained" | "private";

/**
 * Checks one HTTP answer. "explained": no 5xx, and every rejection a problem
 * document (when `problem` is set). "private": no stack trace and no server
 * path; `sent` is the request's own text, so an answer quoting it back is
 * not counted as a leak.
 */
async function checkAnswer(
  response: Response,
  options: {
    check: Check;
    home: string;
    sent: string;
    problem: boolean;
    what: string;
    method?: string;
  },
): Promise<void> {
  const text = await response.text();
  const what = `${options.what} → ${response.status} ${text.slice(0, 300)}`;
  if (options.check === "private") return checkPrivate(text, options);
  assert.ok(response.status < 500, `a server error: ${what}`);
  if (response.status < 400 || !options.problem) return;
  if (options.method === "HEAD") {
    return assert.equal(text, "", `a HEAD answer with a body: ${what}`);
  }
  assert.match(
    response.headers.get("content-type") ?? "",
    /^application\/problem\+json/,
    `a rejection that is not problem+json: ${what}`,
  );
  const problem = JSON.parse(text) as Json;
  assert.equal(problem.status, response.status, what);
  assert.ok(typeof problem.detail === "string" && problem.detail.trim() !== "", what);
  assert.ok(typeof problem.code === "string" && problem.code !== "", what);
  assert.ok(typeof problem.type === "string" && typeof problem.title === "string", what);
}

/** Fails when `text` holds a server path or a stack trace the request did not send. */
function checkPrivate(text: string, options: { home: string; sent: string; what: string }): void {
  for (const path of [options.home, REPOSITORY]) {
    const at = text.indexOf(path);
    if (at >= 0) {
      assert.fail(
        `the answer holds the server path "${path}" (…${
          text.slice(Math.max(0, at - 80), at + path.length + 40)
        }…): ${options.what}`,
      );
    }
  }
  for (const pattern of LEAKS) {
    const match = pattern.exec(text)?.[0];
    if (match && !options.sent.includes(match.trim())) {
      assert.fail(`the answer holds a stack trace or file location "${match}": ${options.what}`);
    }
  }
}

/** An app over a fresh home, with one run on the offline model started and awaiting a selection. */
async function withApp(
  test: (app: ReturnType<typeof createApp>, context: { home: string; runId: string }) => Promise<
    void
  >,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "writeit-fuzz-" });
  const hub = new WorkspaceHub({ home, env: {} });
  try {
    const app = createApp({ hub, version: "fuzz" });
    const runId = await createRun(app, { start: true });
    await waitUntil(async () => {
      const run = (await (await app.request(`/api/runs/${runId}`)).json()).run;
      return run.steps.plan.status === "awaiting_selection";
    });
    await test(app, { home, runId });
    const health = await app.request("/api/health");
    assert.equal(health.status, 200, "the server still answers health");
    await health.body?.cancel();
    assert.equal(({} as Json).polluted, undefined, "Object.prototype was polluted");
  } finally {
    await hub.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** Creates a quick-article run on the offline model (and starts it when asked); its id. */
async function createRun(
  app: ReturnType<typeof createApp>,
  options: { start: boolean },
): Promise<string> {
  const created = await app.request("/api/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      pipeline: "quick-article",
      inputs: { topic: "Fuzz" },
      model: "offline",
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const runId = ((await created.json()) as { run: { runId: string } }).run.runId;
  if (options.start) {
    const started = await app.request(`/api/runs/${runId}/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    assert.equal(started.status, 202, await started.text());
  }
  return runId;
}

/**
 * Runs the fuzzer acts on: one never started, one started. A run that ended
 * (a fuzzed cancel) is replaced, so later actions still reach the step logic.
 */
class RunPool {
  readonly #app: ReturnType<typeof createApp>;
  readonly #ids: string[];

  constructor(app: ReturnType<typeof createApp>, started: string) {
    this.#app = app;
    this.#ids = ["", started];
  }

  /** The id of run `index` (0: never started, 1: started), replaced when it has ended. */
  async live(index: number): Promise<string> {
    const id = this.#ids[index];
    if (id) {
      const response = await this.#app.request(`/api/runs/${id}`);
      const { run } = await response.json() as { run: { status: string } };
      if (!["cancelled", "completed", "failed"].includes(run.status)) return id;
    }
    return this.#ids[index] = await createRun(this.#app, { start: index === 1 });
  }
}

/** Steps of the quick-article pipeline. */
const QUICK_ARTICLE_STEPS = ["plan", "write", "polish"];

/** Actions naming a step the run must have (merge answers 202 and checks in the background). */
const STEP_FIELDS: Record<string, string> = {
  select: "stepId",
  edit: "stepId",
  feedback: "stepId",
  regenerate: "stepId",
  skip: "stepId",
  branch: "fromStepId",
  rewind: "toStepId",
};

/** Fails when an action was accepted for a step the run does not have (prototype keys!). */
function checkStepKnown(action: string, body: string, status: number, what: string): void {
  if (status >= 400 || !Object.hasOwn(STEP_FIELDS, action)) return;
  const parsed = JSON.parse(body) as Json;
  const stepId = parsed[STEP_FIELDS[action]];
  assert.ok(
    typeof stepId === "string" && QUICK_ARTICLE_STEPS.includes(stepId),
    `"${action}" was accepted for step ${
      JSON.stringify(stepId)
    }, which the run does not have: ${what}`,
  );
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The two properties every answer is held to, each its own test step. */
const CHECKS: { check: Check; name: string }[] = [
  { check: "explained", name: "never a 500; every rejection a problem document" },
  { check: "private", name: "no stack trace or server path in any answer" },
];

Deno.test("createApp() answers hostile bodies on every POST route, never a 500, every rejection explained", async (t) => {
  await withApp(async (app, { home, runId }) => {
    const pool = new RunPool(app, runId);
    const RUN = "{run}";
    const routes: [string, string[]][] = [
      ["/api/runs", ROUTE_FIELDS.runs],
      ["/api/workspaces/default/runs", ROUTE_FIELDS.runs],
      ["/api/pipelines", ROUTE_FIELDS.pipelines],
      ["/api/pipelines/validate", ROUTE_FIELDS.validate],
      ["/api/workspaces", ROUTE_FIELDS.workspaces],
      ...ACTIONS.map((action): [string, string[]] => [
        `/api/runs/${RUN}/${action}`,
        ROUTE_FIELDS[action],
      ]),
      [`/api/workspaces/default/runs/${RUN}/select`, ROUTE_FIELDS.select],
    ];
    const request = fc.constantFrom(...routes).chain(([route, keys]) =>
      fc.tuple(fc.constant(route), fc.nat(1), bodyText(keys), CONTENT_TYPE)
    );
    for (const { check, name } of CHECKS) {
      await t.step(name, async () => {
        await fc.assert(
          fc.asyncProperty(request, async ([template, runIndex, body, contentType]) => {
            const route = template.includes(RUN)
              ? template.replace(RUN, await pool.live(runIndex))
              : template;
            const headers: Record<string, string> = {};
            if (contentType !== undefined) headers["content-type"] = contentType;
            const response = await app.request(route, { method: "POST", headers, body });
            const what = `POST ${template} (run ${runIndex === 0 ? "not started" : "started"}, ${
              contentType === undefined ? "no content type" : `"${contentType}"`
            }) ${body.length > 300 ? `${body.slice(0, 200)}… (${body.length} chars)` : body}`;
            if (check === "explained" && template.includes(RUN)) {
              checkStepKnown(template.split("/").at(-1)!, body, response.status, what);
            }
            await checkAnswer(response, { check, home, sent: body, problem: true, what });
          }),
          parameters(2500),
        );
        const health = await app.request("/api/health");
        assert.equal(health.status, 200, "the server still answers health");
        await health.body?.cancel();
      });
    }
  });
});

/** Path segments: plain, encoded, malformed percent-encoding, traversal, very long. */
const SEGMENT = fc.oneof(
  fc.webSegment(),
  fc.string({ unit: "binary", maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom(
    "%",
    "%zz",
    "%E0%A4%A",
    "%C0%AE%C0%AE",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e",
    "..",
    ".",
    "~",
    "constructor",
    "__proto__",
    "default",
    "quick-article",
  ),
  fc.constantFrom(300, 5_000, 60_000).map((length) => "a".repeat(length)),
);

/** Query strings: the routes' own parameters with any values, random ones, malformed ones. */
const QUERY = fc.oneof(
  fc.dictionary(
    fc.constantFrom("status", "pipeline", "limit", "offset", "at", "from", "format", "history"),
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.constantFrom("-1", "0", "1", "1e400", "NaN", "0x10", "completed", "json", "true"),
    ),
    { maxKeys: 4 },
  ).map((query) => new URLSearchParams(query).toString()),
  fc.webQueryParameters(),
  fc.constantFrom("%", "%zz=%zz", "limit=%E0%A4%A", "a=1&a=2&a=3", "at=1&at=2", "from[]=1"),
);

Deno.test("createApp() answers arbitrary paths and query strings without a 500 or a leak", async (t) => {
  await withApp(async (app, { home, runId }) => {
    const templates: ((segment: string) => string)[] = [
      (segment) => `/api/runs/${segment}`,
      (segment) => `/api/runs/${segment}/events`,
      (segment) => `/api/runs/${segment}/export`,
      (segment) => `/api/runs/${segment}/branches`,
      (segment) => `/api/runs/${runId}/${segment}`,
      (segment) => `/api/pipelines/${segment}`,
      (segment) => `/api/workspaces/${segment}`,
      (segment) => `/api/workspaces/${segment}/runs`,
      (segment) => `/api/workspaces/${segment}/runs/${runId}`,
      (segment) => `/api/${segment}`,
      (segment) => `/ws/${segment}`,
      () => `/api/runs`,
      () => `/api/runs/${runId}`,
      () => `/api/runs/${runId}/events`,
      () => `/api/runs/${runId}/export`,
      () => `/api/cache/stats`,
    ];
    const path = fc.oneof(
      { arbitrary: fc.tuple(fc.nat(templates.length - 1), SEGMENT), weight: 6 },
      { arbitrary: fc.webPath().map((path) => [-1, path] as const), weight: 2 },
    ).map(([index, segment]) => index < 0 ? `/api${segment}` : templates[index](segment));
    const request = fc.tuple(
      path,
      fc.option(QUERY, { nil: undefined }),
      fc.constantFrom("GET", "GET", "GET", "HEAD", "DELETE", "PUT", "PATCH", "OPTIONS"),
    );
    for (const { check, name } of CHECKS) {
      await t.step(name, async () => {
        await fc.assert(
          fc.asyncProperty(request, async ([path, query, method]) => {
            const target = query === undefined ? path : `${path}?${query}`;
            let url: URL;
            try {
              url = new URL(target, "http://localhost");
            } catch {
              fc.pre(false);
              return;
            }
            const response = await app.request(url.href, { method });
            await checkAnswer(response, {
              check,
              home,
              sent: decodeSafely(target),
              problem: url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws/"),
              method,
              what: `${method} ${
                target.length > 300 ? `${target.slice(0, 200)}… (${target.length} chars)` : target
              }`,
            });
          }),
          parameters(600),
        );
        const health = await app.request("/api/health");
        assert.equal(health.status, 200, "the server still answers health");
        await health.body?.cancel();
      });
    }
  });
});

function decodeSafely(text: string): string {
  try {
    return text + decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---- WebSocket ----

/** What the server should answer a frame with: an id it echoes, or none. */
type Expectation = { id: string } | { id: undefined };

/** Mirrors the server's reading of a text frame (routes/ws.ts) to know which id it should echo. */
function expectationOf(frame: string | Uint8Array<ArrayBuffer>): Expectation {
  if (typeof frame !== "string" || frame.length > 256 * 1024) return { id: undefined };
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    return { id: undefined };
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return { id: undefined };
  }
  const id = (message as Json).id;
  return typeof id === "string" && id.length <= 200 ? { id } : { id: undefined };
}

/** Socket actions, the REST-only ones and nonsense. */
const SOCKET_ACTION = fc.oneof(
  fc.constantFrom(
    ...SOCKET_ACTIONS,
    "ping",
    "merge",
    "branch",
    "rewind",
    "constructor",
    "__proto__",
    "toString",
  ),
  ANY_FIELD,
);

/** Stands for a fresh message id in generated frames; replaced when sent, so ids are unique. */
const FRESH_ID = "@@ID@@";

/** Frames to send: text (where FRESH_ID becomes a unique id) or binary. */
const FRAME: fc.Arbitrary<string | Uint8Array<ArrayBuffer>> = fc.oneof(
  // Actions with their fields, of any type, with a fresh id.
  {
    arbitrary: SOCKET_ACTION.chain((action) =>
      fc.tuple(
        fc.constant(action),
        typeof action === "string" && Object.hasOwn(ROUTE_FIELDS, action)
          ? fieldsOf(ROUTE_FIELDS[action])
          : KNOWN_FIELDS,
      )
    ).map(([action, fields]) => JSON.stringify({ ...fields, action, id: FRESH_ID })),
    weight: 6,
  },
  // Objects of any shape, with a fresh id, no id, an id of the wrong type or too long.
  {
    arbitrary: fc.tuple(
      fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
      fc.oneof(
        fc.constant(FRESH_ID),
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 1 }),
        fc.constant("x".repeat(201)),
      ),
    ).map(([fields, id]) => {
      const message: Json = { ...fields };
      delete message.id;
      if (id !== undefined) message.id = id;
      return JSON.stringify(message);
    }),
    weight: 3,
  },
  // Prototype keys in messages (written as text: JSON.stringify drops `__proto__`).
  {
    arbitrary: fc.constantFrom(
      `{"id":"${FRESH_ID}","action":"select","__proto__":{"stepId":"plan","index":0}}`,
      `{"id":"${FRESH_ID}","action":"__proto__"}`,
      `{"id":"${FRESH_ID}","action":"skip","stepId":"constructor"}`,
      `{"id":"${FRESH_ID}","action":"select","stepId":"toString","index":0}`,
      `{"id":"${FRESH_ID}","action":"edit","stepId":"valueOf","text":"x"}`,
      `{"__proto__":{"id":"${FRESH_ID}"},"action":"ping"}`,
    ),
    weight: 2,
  },
  // Text that is not a JSON object.
  {
    arbitrary: fc.oneof(
      fc.string({ unit: "binary", maxLength: 100 }),
      fc.json({ maxDepth: 2 }),
      fc.constantFrom("", "null", "[]", '"id"', "{", '{"id":"x"', "\u0000"),
    ),
    weight: 2,
  },
  // Binary frames.
  { arbitrary: fc.uint8Array({ maxLength: 2_000 }), weight: 1 },
  // Large frames: just under the limit (answered by id), over it, far over it.
  {
    arbitrary: fc.constantFrom(200 * 1024, 300 * 1024, 3 * 1024 * 1024).map((size) =>
      JSON.stringify({ id: FRESH_ID, action: "ping", pad: "p".repeat(size) })
    ),
    weight: 1,
  },
);

type Frame = Json & { type: string; id?: string; problem?: Json };

/** A raw WebSocket recording every frame. */
class Recorder {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  closedEvent: CloseEvent | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error("WebSocket error"));
    });
    this.closed = new Promise((resolve) =>
      this.socket.onclose = (event) => {
        this.closedEvent = event;
        resolve(event);
      }
    );
    this.socket.onmessage = (event) => this.frames.push(JSON.parse(event.data));
  }

  /** Answers (`ack` and `error` frames) from index `from` on. */
  answers(from: number): Frame[] {
    return this.frames.slice(from).filter((frame) =>
      frame.type === "ack" || frame.type === "error"
    );
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

async function waitFor(check: () => boolean, describe: () => string, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("WebSocket /ws/{runId} answers every hostile message once, by id, and never drops the socket", async (t) => {
  await using home = await temporaryHome();
  const server = await serve({ home: home.path, port: 0, env: {}, log: () => {} });
  let socket: Recorder | undefined;
  try {
    const created = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: "quick-article",
        inputs: { topic: "Fuzz" },
        model: "offline",
      }),
    });
    assert.equal(created.status, 201);
    const runId = ((await created.json()) as { run: { runId: string } }).run.runId;
    const recorder = socket = new Recorder(`${server.url.replace(/^http/, "ws")}/ws/${runId}`);
    await recorder.opened;
    await waitFor(() => recorder.frames.some((frame) => frame.type === "hello"), () => "no hello");

    let counter = 0;
    const nextId = () => `m${++counter}`;
    const batch = async (specs: (string | Uint8Array<ArrayBuffer>)[], check: Check) => {
      const from = recorder.frames.length;
      const frames = specs.map((spec) =>
        typeof spec === "string" ? spec.replaceAll(FRESH_ID, nextId()) : spec
      );
      const expected = frames.map(expectationOf);
      for (const frame of frames) recorder.socket.send(frame);
      const ids = expected.flatMap((expectation) =>
        expectation.id === undefined ? [] : [expectation.id]
      );
      const anonymous = expected.length - ids.length;
      const describe = () => {
        const answers = recorder.answers(from).map((frame) => [
          frame.type,
          frame.id ?? null,
          (frame.problem as Json | undefined)?.detail,
        ]);
        const sent = frames.map((frame) =>
          typeof frame !== "string"
            ? `<${frame.length} bytes>`
            : frame.length > 400
            ? `${frame.slice(0, 400)}… (${frame.length} chars)`
            : frame
        );
        return `sent ${JSON.stringify(sent)}; expected ids ${
          JSON.stringify(ids)
        } and ${anonymous} answer(s) without id; got ${JSON.stringify(answers)}`;
      };
      await waitFor(() => {
        const answers = recorder.answers(from);
        return ids.every((id) => answers.some((frame) => frame.id === id)) &&
          answers.filter((frame) => frame.id === undefined).length >= anonymous;
      }, describe);
      // A ping behind the batch flushes any duplicate answer still on its way.
      const sentinel = nextId();
      recorder.socket.send(JSON.stringify({ id: sentinel, action: "ping" }));
      await waitFor(
        () => recorder.answers(from).some((frame) => frame.id === sentinel),
        describe,
      );
      await new Promise((resolve) => setTimeout(resolve, 10));

      assert.equal(recorder.socket.readyState, WebSocket.OPEN, `socket closed: ${describe()}`);
      const answers = recorder.answers(from);
      if (check === "private") {
        const sent = frames.filter((frame) => typeof frame === "string").join("\n");
        return checkPrivate(JSON.stringify(recorder.frames.slice(from)), {
          home: home.path,
          sent,
          what: describe(),
        });
      }
      for (const id of ids) {
        assert.equal(answers.filter((frame) => frame.id === id).length, 1, describe());
      }
      assert.equal(
        answers.filter((frame) => frame.id === undefined).length,
        anonymous,
        describe(),
      );
      for (const frame of answers.filter((frame) => frame.type === "error")) {
        const problem = frame.problem ?? {};
        assert.ok(typeof problem.status === "number" && problem.status >= 400, describe());
        assert.ok((problem.status as number) < 500, `a server error: ${describe()}`);
        assert.ok(typeof problem.detail === "string" && problem.detail.trim() !== "", describe());
        assert.ok(typeof problem.code === "string" && problem.code !== "", describe());
      }
    };
    const steps = [
      {
        check: "explained" as const,
        name: "every message with an id answered once by id, never a 500, never a disconnect",
      },
      { check: "private" as const, name: "no stack trace or server path in any frame" },
    ];
    for (const { check, name } of steps) {
      await t.step(name, async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(FRAME, { minLength: 1, maxLength: 6 }),
            (specs) => batch(specs, check),
          ),
          parameters(100),
        );
      });
    }
    assert.equal(recorder.closedEvent, undefined, "the socket was never closed");
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await socket?.close();
    await server.shutdown();
  }
});
