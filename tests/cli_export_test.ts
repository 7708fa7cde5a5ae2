/**
 * End-to-end tests of `writeit export`: Markdown front matter read by the
 * yaml package, JSON and YAML documents parsed back, HTML escaped, history
 * included on request, workspace layouts honoured, `-o FILE` written.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { runCli, temporaryHome } from "./cli_harness.ts";

const HOSTILE_TOPIC = `<script>alert("x")</script> & friends`;

async function completedRun(home: string, extra: string[] = []): Promise<string> {
  const result = await runCli(
    [
      "run",
      "quick-article",
      "--input",
      `topic=${HOSTILE_TOPIC}`,
      "--model",
      "offline",
      "--yes",
      "-n",
      "2",
      ...extra,
    ],
    { home },
  );
  assert.equal(result.code, 0, result.stderr);
  const match = /Run ([0-9a-f-]{36})/.exec(result.stderr);
  assert.ok(match);
  return match[1];
}

function splitFrontMatter(
  markdown: string,
): { frontMatter: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n\n?([\s\S]*)$/.exec(markdown);
  assert.ok(match, "the Markdown starts with a front matter block");
  return { frontMatter: parse(match[1]), body: match[2] };
}

Deno.test("writeit export --format md writes front matter a site generator reads and the final text", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path, ["--style", "technical-expert"]);
  const markdown = await runCli(["export", runId.slice(0, 8), "--format", "md"], {
    home: home.path,
  });
  assert.equal(markdown.code, 0, markdown.stderr);
  const { frontMatter, body } = splitFrontMatter(markdown.stdout);
  const json = JSON.parse(
    (await runCli(["export", runId, "--format", "json"], { home: home.path })).stdout,
  );
  const finalText: string = json.run.steps.polish.selectedText;
  assert.equal(body.trim(), finalText.trim());
  const heading = /^#\s+(.+)$/m.exec(finalText)?.[1].replace(/[*_`]/g, "").trim();
  assert.equal(frontMatter.title, heading ?? "Quick Article");
  assert.equal(frontMatter.pipeline, "quick-article");
  assert.equal(frontMatter.run_id, runId);
  assert.deepEqual(frontMatter.models, ["offline"]);
  assert.equal(frontMatter.tokens, json.run.usage.totalTokens);
  assert.equal(typeof frontMatter.cost_usd, "number");
  assert.equal(frontMatter.workspace, "default");
  assert.equal(frontMatter.style, "technical-expert");
  assert.ok(!Number.isNaN(Date.parse(String(frontMatter.created))));
  assert.ok(!Number.isNaN(Date.parse(String(frontMatter.completed))));
  assert.ok(!markdown.stdout.includes("## Provenance"), "no history unless asked");
});

Deno.test("writeit export --history adds each step's prompt, candidates, models, validation and selection", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path);
  const result = await runCli(["export", runId, "--format", "md", "--history"], {
    home: home.path,
  });
  assert.equal(result.code, 0, result.stderr);
  const { body } = splitFrontMatter(result.stdout);
  assert.match(body, /## Provenance/);
  for (const step of ["plan", "write", "polish"]) {
    assert.match(body, new RegExp(`### Step \\d: .+ \\(\`${step}\`\\)`));
  }
  assert.equal(body.match(/#### Prompt/g)?.length, 3);
  assert.equal(body.match(/#### Candidate \d/g)?.length, 6, "2 candidates × 3 steps");
  assert.equal(body.match(/\(selected\)/g)?.length, 3);
  assert.match(body, /- Model: offline:offline/);
  assert.match(body, /- Validation: (passed|failed: .+)/);
  assert.ok(body.includes(HOSTILE_TOPIC), "the prompt is shown as sent");
});

Deno.test("writeit export --format json and yaml parse back to the run state and an events summary", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path);
  const json = JSON.parse(
    (await runCli(["export", runId, "--format", "json"], { home: home.path })).stdout,
  );
  const yamlResult = await runCli(["export", runId, "--format", "yaml"], { home: home.path });
  assert.equal(yamlResult.code, 0, yamlResult.stderr);
  const yaml = parse(yamlResult.stdout);
  assert.equal(json.run.runId, runId);
  assert.equal(json.run.status, "completed");
  assert.equal(json.events.byType.step_response_generated, 6);
  assert.equal(json.events.count, json.events.list.length);
  assert.equal(json.events.count, json.run.version);
  assert.deepEqual(yaml.run, json.run);
  assert.deepEqual(yaml.article, json.article);
  assert.deepEqual(yaml.events, json.events);
});

Deno.test("writeit export --format html is a standalone page with every model text escaped", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path);
  const target = `${home.path}/out/article.html`;
  const result = await runCli(["export", runId, "--format", "html", "--history", "-o", target], {
    home: home.path,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  const html = readFileSync(target, "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>[^<]+<\/title>/);
  assert.match(html, /<article>\s*<h1>/);
  assert.ok(!html.includes("<script>"), "no tag from the inputs survives");
  assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends"));
  assert.match(html, /Provenance/);
});

Deno.test("writeit export uses the workspace's layout override and rejects unknown formats", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path);
  await Deno.writeTextFile(
    `${home.path}/workspaces/default/layouts/article.md.eta`,
    "CUSTOM <%= it.title %> by <%= it.frontMatter.models.join(',') %>\n",
  );
  const custom = await runCli(["export", runId], { home: home.path });
  assert.equal(custom.code, 0, custom.stderr);
  assert.match(custom.stdout, /^CUSTOM .+ by offline\n$/);
  const bad = await runCli(["export", runId, "--format", "docx"], { home: home.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /use md \(or markdown\), json, yaml or html/);
  const missing = await runCli(["export", "ffffffff"], { home: home.path });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No run "ffffffff"/);
});

Deno.test("writeit export -o a folder or an impossible path says which path and why", async () => {
  await using home = await temporaryHome();
  const run = await runCli(
    ["run", "quick-article", "--yes", "--model", "offline", "--input", "topic=Paths"],
    { home: home.path },
  );
  assert.equal(run.code, 0, run.stderr);
  const runId = /Run ([0-9a-f-]{36})/.exec(run.stderr + run.stdout)![1];
  const folder = await runCli(["export", runId, "-o", home.path], { home: home.path });
  assert.equal(folder.code, 2);
  assert.match(
    folder.stderr,
    /Cannot write the export to ".*": it is a folder: choose another -o path/,
  );
  const impossible = await runCli(["export", runId, "-o", "/proc/nope/x.md"], { home: home.path });
  assert.equal(impossible.code, 2);
  assert.match(impossible.stderr, /Cannot write the export to "\/proc\/nope\/x\.md": /);
  assert.doesNotMatch(impossible.stderr, /unexpected failure/);
});

Deno.test("writeit export --format markdown is md, as the API and the README spell it", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path);
  const md = await runCli(["export", runId, "--format", "md"], { home: home.path });
  const markdown = await runCli(["export", runId, "--format", "markdown"], { home: home.path });
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.equal(markdown.stdout, md.stdout);
  const unknown = await runCli(["export", runId, "--format", "docx"], { home: home.path });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown format "docx": use md \(or markdown\), json, yaml or html/);
});
