/**
 * The API in-process (`app.request`): workspaces and their isolation,
 * pipeline registration, a whole run through REST checked against the
 * OpenAPI route schemas, auto-selection pausing where no candidate is valid, exports in every format, metrics, rate limits,
 * CORS, request ids, and secrets never leaving the server.
 */
import assert from "node:assert/strict";
import { Metrics } from "../../server/metrics.ts";
import { createLogger } from "../../server/request_log.ts";
import { WorkspaceHub } from "../../server/workspace_hub.ts";
import { createApp } from "../app.ts";
import { ProblemSchema } from "../../protocol/mod.ts";
import { ROUTE_DOCS } from "./route_docs.ts";

const SECRET_KEY = "sk-test-0123456789abcdefSECRET";

async function withApi(
  test: (
    request: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>,
    context: { logs: string[]; home: string },
  ) => Promise<void>,
  options: { rateLimitPerMinute?: number; corsOrigins?: string[] } = {},
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "writeit-api-" });
  const logs: string[] = [];
  const hub = new WorkspaceHub({ home, env: { OPENAI_API_KEY: SECRET_KEY } });
  const app = createApp({
    hub,
    version: "test",
    metrics: new Metrics(),
    logger: createLogger((line) => logs.push(line)),
    ...options,
  });
  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    if (json === undefined) return Promise.resolve(app.request(path, rest));
    return Promise.resolve(app.request(path, {
      method: "POST",
      ...rest,
      headers: { "content-type": "application/json", ...rest.headers },
      body: JSON.stringify(json),
    }));
  };
  try {
    await test(request, { logs, home });
  } finally {
    await hub.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** The documented answer schema of `method path` (OpenAPI-style path). */
function documented(method: string, path: string) {
  const route = ROUTE_DOCS.find((doc) => doc.method === method && doc.path === path);
  assert.ok(route?.response, `${method} ${path} is documented`);
  return route.response;
}

async function checked(response: Response, method: string, path: string) {
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
  const body = JSON.parse(text);
  const result = documented(method, path).safeParse(body);
  assert.ok(result.success, `${method} ${path} answers as documented: ${result.error?.message}`);
  return body;
}

Deno.test("POST /api/runs with autoSelect leaves a run paused at a step with no valid candidate; acceptInvalid takes the first", async () => {
  await withApi(async (request) => {
    const yaml = `
metadata:
  name: "Tight"
inputs:
  topic: { type: text, label: Topic, required: true }
steps:
  note:
    name: Note
    prompt_template: "A note on {{ inputs.topic }}."
    validation:
      max_response_length: 120
      required_elements: ["hook", "conclusion"]
`;
    const registered = await request("/api/pipelines", { json: { name: "tight", yaml } });
    assert.equal(registered.status, 201, await registered.clone().text());
    const settled = async (runId: string, status: string) => {
      let body;
      for (let attempt = 0; attempt < 200; attempt++) {
        body = await checked(await request(`/api/runs/${runId}`), "get", "/api/runs/{id}");
        if (body.run.status === status && !body.driving) return body.run;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.fail(`run ${runId} did not become ${status}: ${JSON.stringify(body?.run.status)}`);
    };
    const created = await request("/api/runs", {
      json: {
        pipeline: "tight",
        inputs: { topic: "tea" },
        model: "offline",
        autoSelect: true,
        start: true,
      },
    });
    assert.equal(created.status, 202);
    const runId = (await created.json()).run.runId;
    const paused = await settled(runId, "paused");
    assert.equal(paused.pausedStep, "note");
    assert.match(
      paused.pauseReason,
      /^Step "note" has no candidate that passes validation: \[1\] offline #1 longer than 120 characters/,
    );
    assert.equal(paused.steps.note.userSelection, undefined);

    await checked(
      await request(`/api/runs/${runId}/start`, {
        json: { autoSelect: true, acceptInvalid: true },
      }),
      "post",
      "/api/runs/{id}/start",
    );
    const done = await settled(runId, "completed");
    assert.equal(done.steps.note.userSelection, 0);
    assert.equal(done.pauseReason, undefined);
  });
});

Deno.test("A run through REST: every answer matches its documented schema", async () => {
  await withApi(async (request) => {
    await checked(await request("/api/workspaces"), "get", "/api/workspaces");
    await checked(await request("/api/pipelines"), "get", "/api/pipelines");
    await checked(await request("/api/pipelines/quick-article"), "get", "/api/pipelines/{name}");
    const created = await checked(
      await request("/api/runs", {
        json: { pipeline: "quick-article", inputs: { topic: "Schemas" }, model: "offline" },
      }),
      "post",
      "/api/runs",
    );
    const runId = created.run.runId;
    await checked(
      await request(`/api/runs/${runId}/start`, { json: { autoSelect: true } }),
      "post",
      "/api/runs/{id}/start",
    );
    let run;
    for (let attempt = 0; attempt < 200; attempt++) {
      run = await checked(await request(`/api/runs/${runId}`), "get", "/api/runs/{id}");
      if (run.run.status === "completed" && !run.driving) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(run.run.status, "completed");
    await checked(await request("/api/runs?limit=1"), "get", "/api/runs");
    const events = await checked(
      await request(`/api/runs/${runId}/events?from=2`),
      "get",
      "/api/runs/{id}/events",
    );
    assert.equal(events.events[0].sequence, 2);
    assert.equal(events.lastSequence, run.run.version);
    await checked(await request(`/api/runs/${runId}/branches`), "get", "/api/runs/{id}/branches");
    await checked(await request("/api/cache/stats"), "get", "/api/cache/stats");

    for (
      const [format, type, marker] of [
        ["markdown", "text/markdown", "title:"],
        ["json", "application/json", '"runId"'],
        ["yaml", "application/yaml", "run_id:"],
        ["html", "text/html", "<html"],
      ]
    ) {
      const response = await request(`/api/runs/${runId}/export?format=${format}&history=true`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.ok(response.headers.get("content-type")!.startsWith(type), format);
      assert.ok(text.includes(marker), `${format} export holds ${marker}`);
    }
    const badFormat = await request(`/api/runs/${runId}/export?format=docx`);
    assert.equal(badFormat.status, 422);
    const missing = await request("/api/runs", {
      json: { pipeline: "quick-article", inputs: {}, model: "offline" },
    });
    assert.equal(missing.status, 422);
    const problem = ProblemSchema.parse(await missing.json());
    assert.equal(problem.code, "validation_failed");
    assert.deepEqual(
      problem.issues?.map((issue) => [issue.path, issue.code]),
      [["inputs.topic", "missing_input"]],
    );
  });
});

Deno.test("Workspaces are isolated: a run of one is unknown in another; bad names are refused", async () => {
  await withApi(async (request) => {
    const created = await request("/api/workspaces", {
      json: { name: "client-a", description: "Articles for client A" },
    });
    assert.equal(created.status, 201);
    const made = (await created.json()).workspace;
    assert.equal(made.description, "Articles for client A");
    assert.match(made.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await request("/api/workspaces", { json: { name: "client-a" } })).status, 409);
    for (const name of ["../x", "a/b", "", ".hidden", "x".repeat(300)]) {
      const bad = await request("/api/workspaces", { json: { name } });
      assert.equal(bad.status, 422, name);
    }
    const run = await (await request("/api/workspaces/client-a/runs", {
      json: { pipeline: "quick-article", inputs: { topic: "Isolation" }, model: "offline" },
    })).json();
    const runId = run.run.runId;
    assert.equal((await request(`/api/workspaces/client-a/runs/${runId}`)).status, 200);
    assert.equal((await request(`/api/runs/${runId}`)).status, 404);
    const listed = await (await request("/api/runs")).json();
    assert.equal(listed.total, 0);
    const info = await checked(
      await request("/api/workspaces/client-a"),
      "get",
      "/api/workspaces/{workspace}",
    ) as { workspace: Record<string, unknown> };
    assert.deepEqual(
      { ...info.workspace, createdAt: undefined },
      {
        name: "client-a",
        isDefault: false,
        description: "Articles for client A",
        runs: 1,
        createdAt: undefined,
      },
    );
    assert.equal((await request("/api/workspaces/nope/runs")).status, 404);
  });
});

Deno.test("POST /api/pipelines registers valid YAML into the workspace and writes nothing for invalid YAML", async () => {
  await withApi(async (request, { home }) => {
    const yaml = [
      "metadata: { name: Tiny }",
      "defaults: { model: offline }",
      "inputs:",
      "  topic: { type: text, required: true }",
      "steps:",
      "  draft: { prompt_template: 'Write about {{ inputs.topic }}' }",
    ].join("\n");
    const registered = await request("/api/pipelines", { json: { name: "tiny", yaml } });
    assert.equal(registered.status, 201, await registered.clone().text());
    const listed = await (await request("/api/pipelines")).json();
    const tiny = listed.pipelines.find((pipeline: { name: string }) => pipeline.name === "tiny");
    assert.equal(tiny.origin, "workspace");

    const broken = await request("/api/pipelines", {
      json: { name: "broken", yaml: yaml.replace("inputs.topic", "inputs.topc") },
    });
    assert.equal(broken.status, 422);
    const problem = await broken.json();
    assert.match(problem.issues[0].message, /did you mean "inputs.topic"\?/);
    assert.equal(problem.issues[0].file, "broken.yaml");
    assert.equal(problem.issues[0].code, "unknown_variable");
    const files = [...Deno.readDirSync(`${home}/workspaces/default/pipelines`)].map((f) => f.name);
    assert.deepEqual(files, ["tiny.yaml"]);
    const escaping = await request("/api/pipelines", { json: { name: "../evil", yaml } });
    assert.equal(escaping.status, 422);
  });
});

Deno.test("GET /metrics reports runs, steps, tokens, cache and HTTP latency in Prometheus text", async () => {
  await withApi(async (request) => {
    const created = await (await request("/api/runs", {
      json: { pipeline: "quick-article", inputs: { topic: "Metrics" }, model: "offline" },
    })).json();
    await request(`/api/runs/${created.run.runId}`);
    const response = await request("/metrics");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/plain; version=0.0.4/);
    const text = await response.text();
    assert.match(text, /^writeit_runs\{workspace="default",status="initializing"\} 1$/m);
    assert.match(text, /^writeit_steps\{workspace="default",status="pending"\} 3$/m);
    assert.match(
      text,
      /^writeit_http_requests_total\{method="GET",route="\/api\/runs\/:id",status="200"\} 1$/m,
    );
    assert.match(
      text,
      /^writeit_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d+$/m,
    );
    assert.match(text, /^writeit_websocket_connections 0$/m);
    assert.match(text, /^writeit_storage_bytes\{workspace="default",backend="lmdb"\} [1-9]\d*$/m);
    assert.match(text, /^writeit_process_resident_memory_bytes [1-9]\d*$/m);
  });
});

Deno.test("Rate limits answer 429 with Retry-After per workspace; other workspaces are unaffected", async () => {
  await withApi(async (request) => {
    await request("/api/workspaces", { json: { name: "other" } });
    let limited: Response | undefined;
    for (let index = 0; index < 40 && !limited; index++) {
      const response = await request("/api/runs");
      if (response.status === 429) limited = response;
      else await response.body?.cancel();
    }
    assert.ok(limited, "the default workspace hits its limit");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    const problem = await limited.json();
    assert.equal(problem.code, "rate_limited");
    assert.equal(limited.headers.get("content-type"), "application/problem+json");
    assert.equal((await request("/api/workspaces/other/runs")).status, 200);
    assert.equal((await request("/api/health")).status, 200);
  }, { rateLimitPerMinute: 60 });
});

Deno.test("CORS is closed by default and open to configured origins only", async () => {
  await withApi(async (request) => {
    const closed = await request("/api/runs", { headers: { origin: "https://evil.example" } });
    assert.equal(closed.headers.get("access-control-allow-origin"), null);
  });
  await withApi(async (request) => {
    const allowed = await request("/api/runs", { headers: { origin: "https://app.example" } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");
    const other = await request("/api/runs", { headers: { origin: "https://evil.example" } });
    assert.notEqual(other.headers.get("access-control-allow-origin"), "https://evil.example");
  }, { corsOrigins: ["https://app.example"] });
});

Deno.test("Requests get ids and one JSON log line each; the API key never appears anywhere", async () => {
  await withApi(async (request, { logs }) => {
    const response = await request("/api/runs", { headers: { "x-request-id": "abc-123" } });
    assert.equal(response.headers.get("x-request-id"), "abc-123");
    const generated = await request("/api/runs", { headers: { "x-request-id": "bad id\n" } });
    assert.match(generated.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
    const line = logs.map((text) => JSON.parse(text)).find((entry) =>
      entry.requestId === "abc-123"
    );
    assert.equal(line.status, 200);
    assert.equal(line.method, "GET");

    const created = await (await request("/api/runs", {
      json: { pipeline: "quick-article", inputs: { topic: "Secrets" }, model: "offline" },
    })).json();
    const runId = created.run.runId;
    await request(`/api/runs/${runId}/start`, { json: { autoSelect: true } });
    for (let attempt = 0; attempt < 200; attempt++) {
      const { run } = await (await request(`/api/runs/${runId}`)).json();
      if (run.status === "completed") break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const bodies = await Promise.all(
      [
        `/api/runs/${runId}`,
        `/api/runs/${runId}/events`,
        `/api/runs/${runId}/export?format=json&history=true`,
        "/api/cache/stats",
        "/metrics",
        "/api/openapi.json",
      ].map(async (path) => await (await request(path)).text()),
    );
    for (const text of [...bodies, ...logs]) {
      assert.ok(!text.includes(SECRET_KEY), text.slice(0, 200));
    }
  });
});

Deno.test("GET /api/openapi.json documents every route twice (default and per workspace), and /api/docs renders it", async () => {
  await withApi(async (request) => {
    const document = await (await request("/api/openapi.json")).json();
    assert.equal(document.openapi, "3.1.0");
    for (const path of ["/api/runs/{id}/select", "/api/workspaces/{workspace}/runs/{id}/select"]) {
      assert.ok(document.paths[path]?.post, path);
    }
    const page = await request("/api/docs");
    assert.match(page.headers.get("content-type")!, /text\/html/);
    assert.match(await page.text(), /api\/openapi\.json/);
  });
});

Deno.test("POST /api/runs accepts the original API's pipeline_id, pipeline_path, user_inputs and workspace_name", async () => {
  await withApi(async (request) => {
    assert.equal((await request("/api/workspaces", { json: { name: "client-a" } })).status, 201);
    const byId = await checked(
      await request("/api/runs", {
        json: {
          pipeline_id: "quick-article",
          user_inputs: { topic: "Aliases" },
          workspace_name: "client-a",
          model: "offline",
        },
      }),
      "post",
      "/api/runs",
    );
    assert.equal(byId.run.pipelineId, "quick-article");
    assert.equal(byId.run.workspace, "client-a");
    assert.equal(byId.run.userInputs.topic, "Aliases");
    assert.equal((await request(`/api/workspaces/client-a/runs/${byId.run.runId}`)).status, 200);
    assert.equal((await request(`/api/runs/${byId.run.runId}`)).status, 404);

    const byPath = await checked(
      await request("/api/workspaces/client-a/runs", {
        json: {
          pipeline_path: "pipelines/quick-article.yaml",
          inputs: { topic: "Paths" },
          workspace_name: "client-a",
          model: "offline",
        },
      }),
      "post",
      "/api/runs",
    );
    assert.equal(byPath.run.pipelineId, "quick-article");
  });
});

Deno.test("POST /api/runs refuses an alias that disagrees with its field, and a pipeline_path outside the workspace", async () => {
  await withApi(async (request) => {
    assert.equal((await request("/api/workspaces", { json: { name: "client-a" } })).status, 201);
    const refused = async (path: string, json: unknown) => {
      const response = await request(path, { json });
      const problem = ProblemSchema.parse(await response.json());
      assert.equal(response.status, 422, problem.detail);
      return problem.detail ?? "";
    };
    const pipelines = await refused("/api/runs", {
      pipeline: "quick-article",
      pipeline_id: "tech-article",
      inputs: { topic: "Both" },
    });
    assert.match(pipelines, /"pipeline" is "quick-article" but "pipeline_id" names "tech-article"/);
    const path = await refused("/api/runs", {
      pipeline: "quick-article",
      pipeline_path: "pipelines/tech-article.yaml",
    });
    assert.match(path, /"pipeline" is "quick-article" but "pipeline_path" names "tech-article"/);
    const workspace = await refused("/api/workspaces/client-a/runs", {
      pipeline: "quick-article",
      workspace_name: "default",
      inputs: { topic: "Both" },
    });
    assert.match(workspace, /workspace "client-a" but "workspace_name" is "default"/);
    const inputs = await refused("/api/runs", {
      pipeline: "quick-article",
      inputs: { topic: "One" },
      user_inputs: { topic: "Two" },
    });
    assert.match(inputs, /"inputs" and "user_inputs" differ/);
    const outside = await refused("/api/runs", {
      pipeline_path: "../../elsewhere/quick-article.yaml",
      inputs: { topic: "Out" },
    });
    assert.match(
      outside,
      /"pipeline_path" "\.\.\/\.\.\/elsewhere\/quick-article\.yaml" lies outside the workspace/,
    );
    const absolute = await refused("/api/runs", {
      pipeline_path: "/etc/quick-article.yaml",
      inputs: { topic: "Out" },
    });
    assert.match(absolute, /lies outside the workspace/);
    const notYaml = await refused("/api/runs", { pipeline_path: "pipelines/quick-article.txt" });
    assert.match(notYaml, /is not a pipeline file/);
    const none = await refused("/api/runs", { inputs: { topic: "Nothing" } });
    assert.match(none, /Name the pipeline/);
    const same = await request("/api/runs", {
      json: {
        pipeline: "quick-article",
        pipeline_id: "quick-article",
        workspace_name: "default",
        inputs: { topic: "Same" },
        model: "offline",
      },
    });
    assert.equal(same.status, 201);
  });
});
