/**
 * `writeit diff` end to end: the CLI as a subprocess on a workspace with
 * real runs (the offline model), locally and against a server (`serve()` on
 * port 0 over the same home), its counts checked against the word diff the
 * test computes itself from the runs' texts; the same document from
 * `GET /api/diff` and from the typed client; clear errors for names that
 * cannot be read or point at nothing.
 */
import assert from "node:assert/strict";
import { WriteItClient } from "../client/mod.ts";
import { diffStats, wordDiff } from "../engine/mod.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import { serve } from "../serve.ts";
import { runCli, temporaryHome } from "./cli_harness.ts";

async function completedRun(home: string, topic: string): Promise<string> {
  const result = await runCli(
    ["run", "quick-article", "--input", `topic=${topic}`, "--model", "offline", "--yes", "-n", "2"],
    { home },
  );
  assert.equal(result.code, 0, result.stderr);
  return /Run ([0-9a-f-]{36})/.exec(result.stderr)![1];
}

async function runState(home: string, runId: string): Promise<PipelineRun> {
  const shown = await runCli(["runs", "show", runId, "--json"], { home });
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout);
}

Deno.test("writeit diff compares candidates, steps and two runs' articles, locally and through a server", async () => {
  await using home = await temporaryHome();
  const first = await completedRun(home.path, "Night trains");
  const second = await completedRun(home.path, "Sleeper cars");
  const run = await runState(home.path, first);
  const [one, two] = run.steps.write.responses.map((response) => response.processedContent);
  const expected = diffStats(wordDiff(one, two));
  assert.ok(expected.added + expected.removed > 0, "the two candidates differ");

  const json = await runCli(
    ["diff", `${first.slice(0, 8)}:write:1`, `${first.slice(0, 8)}:write:2`, "--json"],
    { home: home.path },
  );
  assert.equal(json.code, 0, json.stderr);
  const document = JSON.parse(json.stdout);
  assert.deepEqual(document.stats, expected);
  assert.equal(document.from.reference, `${first}:write:1`);
  assert.equal(document.to.label, 'step "write", candidate 2 (offline)');
  assert.equal(
    document.parts.filter((part: { kind: string }) => part.kind !== "added")
      .map((part: { text: string }) => part.text).join(""),
    one,
    "the parts rebuild the first text",
  );

  const plain = await runCli(["diff", `${first}:write:1`, `${first}:write:2`], {
    home: home.path,
  });
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`^--- ${first}:write:1  step "write", candidate 1`));
  assert.match(plain.stdout, /\[-[^\]]+-\]/, "removed words are marked");
  assert.match(plain.stdout, /\{\+[^}]+\+\}/, "added words are marked");
  assert.match(
    plain.stdout,
    new RegExp(
      `${expected.added} words? added, ${expected.removed} removed, ${expected.unchanged} unchanged\\n$`,
    ),
  );

  const articles = await runCli(["diff", first, second, "--json"], { home: home.path });
  assert.equal(articles.code, 0, articles.stderr);
  const other = await runState(home.path, second);
  assert.deepEqual(
    JSON.parse(articles.stdout).stats,
    diffStats(wordDiff(run.steps.polish.selectedText!, other.steps.polish.selectedText!)),
  );

  const server = await serve({
    home: home.path,
    host: "127.0.0.1",
    port: 0,
    env: { HOME: home.path, WRITEIT_HOME: home.path },
    log: () => {},
  });
  try {
    const remote = await runCli(
      [
        "--server",
        server.url,
        "diff",
        `${first.slice(0, 6)}:write:1`,
        `${first}:write:2`,
        "--json",
      ],
      { home: home.path },
    );
    assert.equal(remote.code, 0, remote.stderr);
    assert.deepEqual(JSON.parse(remote.stdout), document, "the same diff through the server");
    const client = new WriteItClient({ baseUrl: server.url });
    assert.deepEqual(await client.diff(`${first}:write:1`, `${first}:write:2`), document);
    const response = await fetch(
      `${server.url}/api/diff?from=${first}:writ&to=${first}`,
    );
    assert.equal(response.status, 404);
    assert.match((await response.json()).detail, /no step "writ": did you mean "write"\?/);
    const unreadable = await fetch(`${server.url}/api/diff?from=a:b:c:d&to=${first}`);
    assert.equal(unreadable.status, 422);
    assert.match((await unreadable.json()).detail, /Cannot read the text name "a:b:c:d"/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("writeit diff says what is wrong with a name and how to write it", async () => {
  await using home = await temporaryHome();
  const runId = await completedRun(home.path, "Canals");
  const cases: Array<[string[], RegExp]> = [
    [
      [`${runId}:writ`, runId],
      /has no step "writ": did you mean "write"\? \(its steps: plan, write, polish\)/,
    ],
    [[`${runId}:write:9`, runId], /has 2 candidates, not 9: pick 1…2/],
    [["not a name", runId], /Cannot read the text name "not a name": write RUN \(its article\)/],
    [["ffffffff", runId], /ffffffff/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(["diff", ...args], { home: home.path });
    assert.notEqual(result.code, 0, args.join(" "));
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  }
});
