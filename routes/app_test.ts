import assert from "node:assert/strict";
import { decide, initialState } from "../engine/run_decider.ts";
import type { EventStore } from "../engine/events/event_store.ts";
import { WorkspaceHub } from "../server/workspace_hub.ts";
import { createApp } from "./app.ts";

async function withApp(
  test: (app: ReturnType<typeof createApp>, store: EventStore, hub: WorkspaceHub) => Promise<void>,
  options: { token?: string; maxBodyBytes?: number } = {},
) {
  const home = await Deno.makeTempDir({ prefix: "writeit-app-" });
  const hub = new WorkspaceHub({ home, env: {} });
  try {
    const app = createApp({ hub, version: "test", ...options });
    await test(app, (await hub.open()).store, hub);
  } finally {
    await hub.close();
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("GET /api/health answers without a token", async () => {
  await withApp(async (app) => {
    const response = await app.request("/api/health");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      status: "ok",
      version: "test",
      workspace: "default",
    });
  }, { token: "secret" });
});

Deno.test("GET /api/pipelines lists the bundled pipelines and requires the token when set", async () => {
  await withApp(async (app) => {
    assert.equal((await app.request("/api/pipelines")).status, 401);
    const response = await app.request("/api/pipelines", {
      headers: { authorization: "Bearer secret" },
    });
    assert.equal(response.status, 200);
    const { pipelines } = await response.json();
    const names = pipelines.map((pipeline: { name: string }) => pipeline.name);
    assert.ok(names.includes("tech-article") && names.includes("quick-article"), names.join());
    const tech = pipelines.find((pipeline: { name: string }) => pipeline.name === "tech-article");
    assert.deepEqual(tech.steps, ["angles", "outline", "draft", "polish"]);
  }, { token: "secret" });
});

Deno.test("POST /api/pipelines/validate returns every located issue", async () => {
  await withApp(async (app) => {
    const yaml = [
      "metadata: { name: Broken }",
      "inputs:",
      "  topic: { type: text, required: true }",
      "steps:",
      "  outline:",
      "    prompt_template: 'About {{ inputs.topc }}'",
    ].join("\n");
    const response = await app.request("/api/pipelines/validate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ yaml, name: "broken" }),
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.valid, false);
    const issue = body.issues.find((found: { path: string }) =>
      found.path === "steps.outline.prompt_template"
    );
    assert.match(issue.message, /did you mean "inputs.topic"\?/);
    assert.equal(issue.line, 6);
  });
});

Deno.test("POST /api/pipelines/validate checks named style primers like the CLI, by name only", async () => {
  await withApp(async (app) => {
    for (const style of ["no-such-style", "/etc/passwd", "../../etc/passwd"]) {
      const yaml = [
        "metadata: { name: Styled }",
        `defaults: { style: "${style}" }`,
        "inputs:",
        "  topic: { type: text, required: true }",
        "steps:",
        "  outline: { prompt_template: 'About {{ inputs.topic }}' }",
      ].join("\n");
      const response = await app.request("/api/pipelines/validate", {
        method: "POST",
        headers: { "content-type": "text/yaml" },
        body: yaml,
      });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.equal(JSON.parse(text).valid, false, style);
      assert.ok(!text.includes("root:"), "no file content leaks");
    }
  });
});

Deno.test("API errors are problem+json without stack traces, and oversized bodies get 413", async () => {
  await withApp(async (app) => {
    const missing = await app.request("/api/pipelines/tech-artcle");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("content-type"), "application/problem+json");
    const problem = await missing.json();
    assert.match(problem.detail, /did you mean "tech-article"\?/);
    assert.ok(!/\bat .*\.ts:\d+/.test(JSON.stringify(problem)), "no stack trace");

    for (const path of ["%2Fetc%2Fpasswd", "..%2F..%2Fetc%2Fpasswd", ".hidden", "a%2Fb"]) {
      const escaped = await app.request(`/api/pipelines/${path}`);
      assert.equal(escaped.status, 404, path);
      assert.ok(!(await escaped.text()).includes("root:"), "no file content leaks");
    }

    const large = await app.request("/api/pipelines/validate", {
      method: "POST",
      headers: { "content-type": "text/yaml" },
      body: "x".repeat(2048),
    });
    assert.equal(large.status, 413);
    assert.equal((await large.json()).code, "http_413");
  }, { maxBodyBytes: 1024 });
});

Deno.test("GET /api/runs lists runs, shows state at a sequence and its events", async () => {
  await withApp(async (app, store) => {
    const events = decide({
      type: "createRun",
      pipelineId: "quick-article",
      pipelineHash: "sha256:test",
      workspace: "default",
      stepOrder: ["plan", "write"],
      stepDependencies: {},
      inputs: { topic: "LMDB" },
    }, initialState("run-1"));
    await store.append("run-1", events, { expectedVersion: 0 });
    const state = await store.loadRun("run-1");
    await store.append("run-1", decide({ type: "startRun" }, state), {
      expectedVersion: state.version,
    });

    const list = await (await app.request("/api/runs?status=running")).json();
    assert.deepEqual(list.runs.map((run: { runId: string }) => run.runId), ["run-1"]);
    const atFirst = await (await app.request(`/api/runs/run-1?at=${state.version}`)).json();
    assert.equal(atFirst.run.status, "initializing");
    const events2 = await (await app.request("/api/runs/run-1/events")).json();
    assert.deepEqual(events2.events.map((event: { type: string }) => event.type).slice(-1), [
      "run_started",
    ]);
    for (const query of ["limit=0", "limit=x", "at=0"]) {
      const path = query.startsWith("at") ? `/api/runs/run-1?${query}` : `/api/runs?${query}`;
      const response = await app.request(path);
      assert.equal(response.status, 422, query);
      const problem = await response.json();
      assert.match(problem.detail, new RegExp(`The query is not valid: "${query.split("=")[0]}"`));
      assert.equal(problem.issues[0].path, query.split("=")[0]);
    }
    const bad = await app.request("/api/runs?status=done");
    assert.equal(bad.status, 422);
    assert.match(
      (await bad.json()).detail,
      /"status": Invalid option: expected one of "initializing"/,
    );
    assert.equal((await app.request("/api/runs/nope")).status, 404);
  });
});

Deno.test("createApp() refuses state changes a cross-site page could send without a preflight", async () => {
  await withApp(async (app, store) => {
    const created = await app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: "quick-article",
        inputs: { topic: "Safety" },
        model: "offline",
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const runId = (await created.json()).run.runId as string;
    const before = (await store.read(runId)).length;
    // What a no-cors fetch or an HTML form may send: no type, or a CORS-safelisted one.
    const simple: Array<Record<string, string>> = [
      {},
      { "content-type": "text/plain" },
      { "content-type": "text/plain;charset=UTF-8" },
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "multipart/form-data; boundary=x" },
    ];
    for (const route of ["start", "pause", "cancel", "resume"]) {
      for (const headers of simple) {
        for (const body of [undefined, "", '{"stepId":"plan"}']) {
          const response = await app.request(`/api/runs/${runId}/${route}`, {
            method: "POST",
            headers,
            body,
          });
          assert.equal(response.status, 415, `${route} ${JSON.stringify(headers)} ${body}`);
          assert.match((await response.json()).detail, /content-type application\/json/);
        }
      }
    }
    const runs = await app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ pipeline: "quick-article", inputs: { topic: "x" }, start: true }),
    });
    assert.equal(runs.status, 415);
    assert.equal((await store.read(runId)).length, before, "no event was written");
    const listed = await (await app.request("/api/runs")).json();
    assert.equal(listed.runs.length, 1, "no run was created");
  });
});

Deno.test("a run page is gzip-compressed and weighs less than 100 kB per 20,000 words of candidates", async () => {
  await withApp(async (app, _store, hub) => {
    const runtime = await hub.open();
    const { checkPipelineEntry } = await import("../engine/pipeline_check.ts");
    const entry = runtime.pipelines.findName("field-guide");
    const { pipeline } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
    const created = await runtime.service.createRun(pipeline!, {
      inputs: { subject: "Sourdough", notes: "Flour, water, salt and time." },
      modelOverride: "offline",
      responses: 4,
    });
    const run = await runtime.service.advance(created.runId, { autoSelect: true });
    assert.equal(run.status, "completed");
    const words = Object.values(run.steps).flatMap((step) => step.responses)
      .reduce((sum, response) => sum + response.processedContent.split(/\s+/).length, 0);
    const response = await app.request(`/runs/${run.runId}`, {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.match(response.headers.get("vary") ?? "", /accept-encoding/i);
    const compressed = (await response.arrayBuffer()).byteLength;
    // The page's own frame (styles, controls, charts) plus the texts at the budget's rate.
    const budget = 12_000 + Math.ceil((100_000 * words) / 20_000);
    console.log(
      `run page: ${words} words of candidates, ${compressed} bytes gzipped (budget ${budget})`,
    );
    assert.ok(compressed <= budget, `${compressed} bytes gzipped, budget ${budget}`);
    // The prompts sent and the stored pipeline stay out of the page (the API has them).
    const plain = await (await app.request(`/runs/${run.runId}`)).text();
    assert.ok(!plain.includes(run.steps.draft.prompt!.slice(0, 200)), "no prompt in the page");
  });
});

Deno.test("GET /api/runs/live streams a run's summary when it changes, and stops when the client goes", async () => {
  await withApp(async (app, _store, hub) => {
    const runtime = await hub.open();
    const response = await app.request("/api/runs/live");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const { checkPipelineEntry } = await import("../engine/pipeline_check.ts");
    const entry = runtime.pipelines.findName("quick-article");
    const { pipeline } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
    const run = await runtime.service.createRun(pipeline!, {
      inputs: { topic: "Live lists" },
      modelOverride: "offline",
    });
    let text = "";
    while (!text.includes("event: run")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const data = /event: run\ndata: (.*)\n\n/.exec(text);
    assert.ok(data, text);
    const summary = JSON.parse(data[1]);
    assert.equal(summary.runId, run.runId);
    assert.equal(summary.title, "Live lists");
    assert.equal(summary.status, "initializing");
    await reader.cancel();
  });
});

Deno.test("POST /api/runs/estimate prices a run per step and model, and creates nothing", async () => {
  await withApp(async (app, store) => {
    const post = (body: unknown) =>
      app.request("/api/runs/estimate", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const response = await post({
      pipeline: "quick-article",
      inputs: { topic: "Estimates", audience: "general" },
    });
    assert.equal(response.status, 200);
    const estimate = await response.json();
    assert.deepEqual(estimate.steps.map((step: { stepId: string }) => step.stepId), [
      "plan",
      "write",
      "polish",
    ]);
    assert.ok(estimate.inputTokens > 0 && estimate.outputTokens > 0);
    assert.ok(estimate.costUsd > 0, "the pipeline's own models have prices");
    const offline = await (await post({ pipeline: "quick-article", inputs: {}, model: "offline" }))
      .json();
    assert.equal(offline.costUsd, 0);
    assert.deepEqual(offline.unpriced, []);
    const unknown = await post({ pipeline: "quick-article", model: "acme-9000" });
    assert.equal(unknown.status, 422);
    assert.deepEqual(await store.listRuns(), [], "nothing was created");
  });
});
