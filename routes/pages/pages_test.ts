import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPipelineEntry } from "../../engine/pipeline_check.ts";
import { WorkspaceHub } from "../../server/workspace_hub.ts";
import { buildIslandBundle } from "../../server/island_bundle.ts";
import { temporaryHome } from "../../tests/cli_harness.ts";
import { pageRoutes } from "./pages.ts";

const bundle = buildIslandBundle();

async function withHub(
  test: (hub: WorkspaceHub, home: string) => Promise<void>,
): Promise<void> {
  await using home = await temporaryHome();
  const hub = new WorkspaceHub({ home: home.path, env: { HOME: home.path } });
  try {
    await test(hub, home.path);
  } finally {
    await hub.close();
  }
}

async function html(response: Response): Promise<string> {
  assert.match(response.headers.get("content-type") ?? "", /text\/html/);
  return await response.text();
}

function islandProps(page: string, name: string): Record<string, unknown> {
  const match = page.match(
    new RegExp(`<script type="application/json" data-island-props="${name}">(.*?)</script>`),
  );
  assert.ok(match, `island ${name} has its props`);
  return JSON.parse(match[1]);
}

Deno.test("pageRoutes() home lists workspaces, recent runs and cache stats, and ships only the live runs list", async () => {
  await withHub(async (hub) => {
    const app = pageRoutes(hub, { bundle });
    const page = await html(await app.request("/"));
    assert.ok(page.startsWith('<!DOCTYPE html><html lang="en">'));
    assert.ok(page.includes(`Workspace “${hub.defaultWorkspace}”`));
    assert.ok(page.includes("No runs yet"));
    assert.match(page, /Response cache/);
    assert.ok(page.includes(`Workspace “${hub.defaultWorkspace}”`));
    // The runs list is the one island: it renders without JavaScript and goes live with it.
    assert.deepEqual([...page.matchAll(/data-island="(\w+)"/g)].map((match) => match[1]), [
      "RunsTable",
    ]);
    assert.match(page, /<\/a> <span class="muted small">\(default\)/, "a space before (default)");
    assert.ok(page.includes((await bundle).stylesheet));
  });
});

Deno.test("pageRoutes() pipeline page renders the start form island and its loader", async () => {
  await withHub(async (hub) => {
    const app = pageRoutes(hub, { bundle });
    const list = await html(await app.request("/pipelines"));
    assert.match(list, /data-pipeline="quick-article"/);
    assert.match(list, /Quick Article/);
    const page = await html(await app.request("/pipelines/quick-article"));
    assert.match(page, /data-island="StartRunForm"/);
    assert.match(page, /<label for="input-topic">Article Topic \*<\/label>/);
    assert.match(page, /<select id="input-audience"/);
    const props = islandProps(page, "StartRunForm");
    assert.equal(props.pipeline, "quick-article");
    assert.deepEqual(props.modelSuggestions, ["offline"]);
    assert.equal(props.token, undefined);
    const built = await bundle;
    assert.ok(page.includes(`import { StartRunForm } from "${built.islands.StartRunForm}"`));
    assert.ok(!page.includes(built.islands.RunView));
  });
});

Deno.test("pageRoutes() shows a broken pipeline's problems at their lines and no start form", async () => {
  await withHub(async (hub, home) => {
    mkdirSync(join(home, "pipelines"), { recursive: true });
    writeFileSync(
      join(home, "pipelines", "broken.yaml"),
      [
        "metadata:",
        "  name: Broken",
        "steps:",
        "  outline:",
        '    prompt_template: "About {{ inputs.topik }}"',
        "",
      ].join("\n"),
    );
    const app = pageRoutes(hub, { bundle });
    const list = await html(await app.request("/pipelines"));
    assert.match(list, /data-pipeline="broken"[\s\S]*?error/);
    const page = await html(await app.request("/pipelines/broken"));
    assert.match(page, /cannot run until they are fixed/);
    assert.match(page, /class="line has-issue" id="L5"/);
    assert.match(page, /topik/);
    assert.ok(!page.includes('data-island="StartRunForm"'));
  });
});

Deno.test("pageRoutes() run page embeds the live run view and the branch tree", async () => {
  await withHub(async (hub) => {
    const runtime = await hub.open();
    const entry = runtime.pipelines.findName("quick-article");
    const { pipeline } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
    const run = await runtime.service.createRun(pipeline!, {
      inputs: { topic: "Tide pools" },
      modelOverride: "offline",
    });
    const app = pageRoutes(hub, { bundle });
    const home = await html(await app.request("/"));
    assert.ok(home.includes(`data-run-id="${run.runId}"`));
    const page = await html(await app.request(`/runs/${run.runId}`));
    assert.match(page, /data-island="RunView"/);
    assert.match(page, /aria-label="Run controls"/);
    assert.match(page, /data-step="plan"/);
    assert.match(page, /Branches of this run/);
    const props = islandProps(page, "RunView");
    assert.equal((props.run as { runId: string }).runId, run.runId);
    assert.equal((props.steps as Record<string, { name: string }>).plan.name, "Plan Article");
    assert.ok(page.includes("/export?format=markdown"));
    const runs = await html(await app.request("/runs?status=initializing"));
    assert.ok(runs.includes(`data-run-id="${run.runId}"`));
    const completed = await html(await app.request("/runs?status=completed"));
    assert.ok(!completed.includes(`data-run-id="${run.runId}"`));
  });
});

Deno.test("pageRoutes() answers unknown runs, pipelines and workspaces with a readable 404 page", async () => {
  await withHub(async (hub) => {
    const app = pageRoutes(hub, { bundle });
    for (const path of ["/runs/no-such-run", "/pipelines/no-such", "/?workspace=nowhere"]) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
      const page = await html(response);
      assert.match(page, /role="alert"/);
      assert.doesNotMatch(
        page,
        /writeit runs list/,
        "a browser user is not told to type a command",
      );
    }
    const badStatus = await app.request("/runs?status=done");
    assert.equal(badStatus.status, 422);
    assert.match(await html(badStatus), /Unknown run status &quot;done&quot;/);
  });
});

Deno.test("pageRoutes() with a token requires the login cookie and never writes the token into a page", async () => {
  await withHub(async (hub) => {
    const app = pageRoutes(hub, { bundle, token: "s3cret" });
    const anonymous = await app.request("/pipelines/quick-article");
    assert.equal(anonymous.status, 303);
    assert.equal(
      anonymous.headers.get("location"),
      `/login?next=${encodeURIComponent("/pipelines/quick-article")}`,
    );
    const wrong = await app.request("/login?token=nope&next=/pipelines");
    assert.equal(wrong.status, 401);
    assert.match(await html(wrong), /not this server/);
    const right = await app.request("/login?token=s3cret&next=//evil.example");
    assert.equal(right.status, 303);
    assert.equal(right.headers.get("location"), "/");
    const cookie = right.headers.get("set-cookie") ?? "";
    assert.match(cookie, /writeit_token=s3cret/);
    assert.match(cookie, /HttpOnly/);
    const page = await html(
      await app.request("/pipelines/quick-article", {
        headers: { cookie: "writeit_token=s3cret" },
      }),
    );
    assert.equal(islandProps(page, "StartRunForm").token, undefined);
    assert.equal(islandProps(page, "StartRunForm").signedIn, true);
    assert.doesNotMatch(page, /s3cret/, "the HttpOnly cookie is the only copy a browser holds");
    const posted = await app.request("/login", {
      method: "POST",
      body: new URLSearchParams({ token: "s3cret", next: "/runs" }),
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get("location"), "/runs");
    const asset = await app.request((await bundle).boot);
    assert.equal(asset.status, 200, "static files need no cookie");
    await asset.body?.cancel();
  });
});
