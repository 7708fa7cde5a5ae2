/**
 * The interactive `writeit run` in a real terminal: tmux runs the CLI in a
 * detached 200×50 pane, the test types with `send-keys` and reads the screen
 * with `capture-pane`. It answers the input prompts, gives feedback and
 * regenerates, picks, edits in $EDITOR (a script that rewrites the file;
 * the result is shown to keep, edit again or discard),
 * goes back a step, quits, and resumes to the end. A run that `--yes` stopped
 * at a step with no valid candidate opens on that step's menu when resumed,
 * where a merge that fails validation says which checks. tmux is required: without
 * it the test fails and says so.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { runCli, temporaryHome } from "./cli_harness.ts";
import { Pane, requireTmux } from "./terminal_pane.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

async function launcher(home: string, args: string[]): Promise<string> {
  const editor = `${home}/editor.sh`;
  await Deno.writeTextFile(
    editor,
    `#!/bin/sh\nprintf '# Written by hand\\n\\nThe editor test replaced this draft.\\n' > "$1"\n`,
  );
  await Deno.chmod(editor, 0o755);
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(" ");
  const path = `${home}/launch-${crypto.randomUUID().slice(0, 8)}.sh`;
  await Deno.writeTextFile(
    path,
    [
      `export WRITEIT_HOME='${home}' HOME='${home}' EDITOR='${editor}' NO_COLOR=1 RUST_BACKTRACE=0 DENO_NO_UPDATE_CHECK=1`,
      `cd '${home}'`,
      `'${Deno.execPath()}' run --quiet --allow-all --config '${CONFIG}' '${CLI}' ${quoted}`,
      `echo "__EXIT_$?__"`,
      "sleep 600",
    ].join("\n") + "\n",
  );
  return path;
}

Deno.test("writeit run in a terminal: inputs, feedback + regenerate, pick, edit, back, quit, then resume to the end", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const session = `writeit-test-${crypto.randomUUID().slice(0, 8)}`;
  const first = new Pane(
    session,
    await launcher(home.path, ["run", "quick-article", "--model", "offline", "-n", "2"]),
  );
  let runId: string;
  try {
    await first.waitFor(/Article Topic \(topic\)\s+required/, "the topic prompt");
    first.type("Terminal user interfaces");
    const choices = await first.waitFor(/1-3 or value>/, "the audience choice");
    assert.match(choices, /2\) Professionals \[professionals\] — People working in this field/);
    assert.match(choices, /default: general/);
    first.type("2");
    await first.nextMenu(0, "the first step's menu");
    let screen = first.screen();
    assert.match(screen, /Step 1\/3 · Plan Article \(plan\)/);
    assert.match(screen, /\[1\] offline #[12] .*✓ valid/);
    assert.match(screen, /\[2\] offline #[12] .*✓ valid/);
    runId = /Run ([0-9a-f-]{36})/.exec(screen)![1];

    first.type("f");
    await first.waitFor(/Feedback \(Enter sends[^\n]*\nfeedback>/, "the feedback prompt");
    first.type("Shorter, with a question in the title");
    screen = await first.nextMenu(1, "the menu after regenerating");
    assert.match(screen, /Feedback so far: Shorter, with a question in the title/);
    assert.match(screen, /\[4\] offline #[12] gen 2/);

    first.type("v 3");
    await first.waitFor((text) => text.split("─".repeat(40)).length - 1 >= 2, "the full candidate");
    first.type("3");
    screen = await first.nextMenu(3, "the second step's menu");
    assert.match(screen, /Step 2\/3 · Write Article \(write\)/);

    // The saved edit is shown and waits for a decision: discard it, then edit, edit again and keep.
    first.type("e");
    screen = await first.waitFor(
      /Keep this edit\? k keep · e edit again · d discard/,
      "the review",
    );
    assert.match(screen, /Your edit: 56 chars, 10 words \(was [\d,]+ chars, [\d,]+ words\)/);
    assert.match(screen, /The editor test replaced this draft\./);
    first.type("d");
    screen = await first.nextMenu(4, "the menu after discarding");
    assert.match(screen, /Discarded your edit: nothing recorded\./);
    first.type("e");
    await first.waitFor(() => first.count("Keep this edit?") === 2, "the second review");
    first.type("e");
    await first.waitFor(
      () => first.count("Keep this edit?") === 3,
      "the review after editing again",
    );
    first.type("");
    screen = await first.nextMenu(5, "the third step's menu after the edit");
    assert.match(
      screen,
      /Saved your edit \(56 chars\) as the result of "write", although it fails validation: shorter than 800 characters \(56\)/,
    );
    assert.match(screen, /Step 3\/3 · Polish & Perfect \(polish\)/);

    first.type("<");
    screen = await first.nextMenu(6, "the second step again");
    assert.match(screen, /Back to step "write"/);
    // The edit is one of write's candidates again, the one selected, not only an event.
    assert.match(screen, /\[3\] edited {2}56 chars {2}✗ shorter than 800 characters \(56\)/);

    first.type("q");
    screen = await first.waitFor(/__EXIT_\d+__/, "the command to end");
    assert.match(screen, new RegExp(`Paused\\. Continue later with: writeit resume ${runId}`));
    assert.match(screen, /__EXIT_0__/);
  } finally {
    first.close();
  }

  const second = new Pane(`${session}-r`, await launcher(home.path, ["resume", runId.slice(0, 8)]));
  let article: string;
  try {
    let screen = await second.nextMenu(0, "the resumed run's menu");
    assert.match(screen, /Step 2\/3 · Write Article \(write\)/);
    second.type("1");
    screen = await second.nextMenu(1, "the last step's menu");
    assert.match(screen, /Step 3\/3 · Polish & Perfect \(polish\)/);
    second.type("2");
    screen = await second.waitFor(/__EXIT_\d+__/, "the run to finish");
    assert.match(screen, /__EXIT_0__/);
    article = /Article: (\S+\.md)/.exec(screen)![1];
  } finally {
    second.close();
  }
  assert.ok(existsSync(article), article);

  const exported = await runCli(["export", runId, "--format", "json"], { home: home.path });
  const { run, events } = JSON.parse(exported.stdout);
  assert.equal(run.status, "completed");
  assert.equal(run.userInputs.topic, "Terminal user interfaces");
  assert.equal(run.userInputs.audience, "professionals");
  assert.deepEqual(run.steps.plan.feedback.map((note: { text: string }) => note.text), [
    "Shorter, with a question in the title",
  ]);
  assert.equal(run.steps.plan.userSelection, 2, "candidate 3 was picked");
  assert.match(run.steps.plan.prompt, /Shorter, with a question in the title/);
  assert.equal(events.byType.step_edited, 1);
  assert.equal(events.byType.run_rewound, 1);
  assert.equal(
    run.steps.polish.selectedText,
    run.steps.polish.responses[run.steps.polish.userSelection].processedContent,
  );
});

Deno.test("writeit run in a terminal and the dashboard's client on one run: each side is told what the other did, and a stale action is refused", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const { serve } = await import("../serve.ts");
  const { WriteItClient } = await import("../client/writeit_client.ts");
  const { WriteItApiError } = await import("../client/api_error.ts");
  const server = await serve({ home: home.path, port: 0, log: () => {} });
  const session = `writeit-test-${crypto.randomUUID().slice(0, 8)}`;
  const pane = new Pane(
    session,
    await launcher(home.path, [
      "run",
      "quick-article",
      "--model",
      "offline",
      "-n",
      "2",
      "--input",
      "topic=Optimistic concurrency",
      "--input",
      "audience=general",
    ]),
  );
  try {
    const dashboard = new WriteItClient({ baseUrl: server.url, client: "dashboard" });
    await pane.nextMenu(0, "the plan menu");
    const [summary] = (await dashboard.listRuns()).runs;
    const seen = await dashboard.getRun(summary.runId);
    assert.equal(seen.steps.plan.status, "awaiting_selection");

    // The browser picks candidate 2: the terminal says so and moves on to the next step.
    await dashboard.select(seen.runId, "plan", 1, { basedOn: seen.version });
    let screen = await pane.nextMenu(1, "the write menu after the dashboard's pick");
    assert.match(screen, /plan: candidate 2 was picked from the dashboard\./);
    assert.match(screen, /Step 2\/3 · .*\(write\)/);

    // A second tab still showing the old version is refused, and nothing changes.
    const before = await dashboard.getRun(seen.runId);
    const refusal = await dashboard.select(seen.runId, "plan", 0, { basedOn: seen.version })
      .then(() => undefined, (error) => error);
    assert.ok(refusal instanceof WriteItApiError, String(refusal));
    assert.equal(refusal.status, 409);
    assert.equal(refusal.problem.code, "stale_action");
    assert.match(refusal.problem.detail, /^plan: candidate 2 was picked from the dashboard since/);
    assert.equal(refusal.problem.stale?.basedOn, seen.version);
    assert.equal((await dashboard.getRun(seen.runId)).version, before.version);

    // The writer picks in the terminal; the browser, deciding on what it saw before, is told.
    const atWrite = await dashboard.getRun(seen.runId);
    pane.type("1");
    await pane.nextMenu(2, "the polish menu");
    const late = await dashboard.feedback(seen.runId, "write", "Shorter", {
      basedOn: atWrite.version,
    }).then(() => undefined, (error) => error);
    assert.ok(late instanceof WriteItApiError, String(late));
    assert.equal(late.status, 409);
    assert.match(late.problem.detail, /^write: candidate 1 was picked from the CLI since/);

    // Feedback from the dashboard while the terminal waits: the menu is drawn again with it.
    const atPolish = await dashboard.getRun(seen.runId);
    await dashboard.feedback(seen.runId, "polish", "More examples", {
      regenerate: false,
      basedOn: atPolish.version,
    });
    screen = await pane.nextMenu(3, "the polish menu drawn again");
    assert.match(screen, /polish: feedback was given from the dashboard\./);
    assert.match(screen, /Feedback so far: More examples/);
    pane.type("1");
    screen = await pane.waitFor(/__EXIT_0__/, "the end of the run");
    assert.match(screen, /Done\. Run .* completed/);
    const events = (await dashboard.events(seen.runId)).events;
    const actors = new Set(events.map((event) => event.metadata.actor));
    assert.ok(actors.has("cli") && actors.has("dashboard"), [...actors].join(", "));
  } finally {
    pane.close();
    await server.shutdown();
  }
});

Deno.test("writeit --server run in a terminal: the same menu at every step, the server driving between them", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const { serve } = await import("../serve.ts");
  const { WriteItClient } = await import("../client/mod.ts");
  const server = await serve({ home: home.path, port: 0, log: () => {} });
  const session = `writeit-test-${crypto.randomUUID().slice(0, 8)}`;
  const pane = new Pane(
    session,
    await launcher(home.path, [
      "--server",
      server.url,
      "run",
      "quick-article",
      "--model",
      "offline",
      "-n",
      "2",
      "--input",
      "topic=Remote menus",
      "--input",
      "audience=general",
    ]),
  );
  try {
    let screen = await pane.nextMenu(0, "the plan menu");
    assert.match(screen, /Step 1\/3 · Plan Article \(plan\)/);
    assert.match(screen, /\[2\] offline #2/);
    pane.type("2");
    screen = await pane.nextMenu(1, "the write menu");
    assert.match(screen, /Step 2\/3 · .*\(write\)/);
    pane.type("f Shorter, please");
    screen = await pane.nextMenu(2, "the write menu after feedback");
    assert.match(screen, /Feedback so far: Shorter, please/);
    pane.type("1");
    await pane.nextMenu(3, "the polish menu");
    pane.type("1");
    screen = await pane.waitFor(/__EXIT_\d+__/, "the end of the run");
    assert.match(screen, /__EXIT_0__/, screen);
    assert.match(screen, /Done\. Run .* completed/);
    const client = new WriteItClient({ baseUrl: server.url });
    const [summary] = (await client.listRuns()).runs;
    const run = await client.getRun(summary.runId);
    assert.equal(run.status, "completed");
    const plan = run.steps.plan;
    assert.equal(
      plan.selectedText,
      plan.responses.find((r) => r.candidateIndex === 1)?.processedContent,
    );
    assert.deepEqual(run.steps.write.feedback.map((note) => note.text), ["Shorter, please"]);
    const actors = new Set((await client.events(run.runId)).events.map((e) => e.metadata.actor));
    assert.ok(actors.has("cli"), [...actors].join(", "));
  } finally {
    pane.close();
    await server.shutdown();
  }
});

Deno.test("writeit run in a terminal: b branches, and the run left behind waits paused instead of seeming to run", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const session = `writeit-test-${crypto.randomUUID().slice(0, 8)}`;
  const pane = new Pane(
    session,
    await launcher(home.path, [
      "run",
      "quick-article",
      "--model",
      "offline",
      "-n",
      "2",
      "--input",
      "topic=Branching",
      "--input",
      "audience=general",
    ]),
  );
  try {
    await pane.nextMenu(0, "the plan menu");
    pane.type("1");
    await pane.nextMenu(1, "the write menu");
    pane.type("b");
    const screen = await pane.nextMenu(2, "the branch's write menu");
    assert.match(screen, /Branched: new run \S+ \(run \S+ is paused where it was\)/);
    pane.type("q");
    await pane.waitFor(/__EXIT_0__/, "the quit");
  } finally {
    pane.close();
  }
  const listed = await runCli(["runs", "list", "--json"], { home: home.path });
  assert.equal(listed.code, 0, listed.stderr);
  const runs = JSON.parse(listed.stdout) as {
    runId: string;
    status: string;
    parentRunId?: string;
  }[];
  assert.equal(runs.length, 2);
  assert.deepEqual(runs.map((run) => run.status).sort(), ["paused", "paused"], listed.stdout);
});

Deno.test("writeit resume in a terminal of a run --yes stopped for want of a valid candidate: the step's menu, and a merge that fails validation says which checks", async () => {
  requireTmux();
  await using home = await temporaryHome();
  const file = `${home.path}/tight.yaml`;
  await Deno.writeTextFile(
    file,
    `
metadata:
  name: "Tight"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  note:
    name: Note
    prompt_template: "A note on {{ inputs.topic }}."
    response_count: 2
    validation:
      max_response_length: 120
      required_elements: ["hook", "conclusion"]
`,
  );
  const stopped = await runCli(
    ["run", file, "--input", "topic=tea", "--model", "offline", "--yes"],
    { home: home.path },
  );
  assert.equal(stopped.code, 1, stopped.stderr);
  const runId = /Run ([0-9a-f-]{36})/.exec(stopped.stderr)![1];

  const pane = new Pane(
    `writeit-test-${crypto.randomUUID().slice(0, 8)}`,
    await launcher(home.path, ["resume", runId]),
  );
  try {
    let screen = await pane.nextMenu(0, "the stopped step's menu");
    assert.match(screen, /Step "note" has no candidate that passes validation: \[1\]/);
    assert.match(screen, /\[1\] offline #[12] .*✗ longer than 120 characters/);

    pane.type("m 1,2");
    screen = await pane.nextMenu(1, "the menu after the merge");
    assert.match(
      screen,
      /Merged into candidate 3, which fails validation: longer than 120 characters \(\d+\)\. Pick 3 to use it anyway/,
    );
    assert.doesNotMatch(screen, /Merged into candidate 3: pick 3 to use it/);

    pane.type("3");
    screen = await pane.waitFor(/__EXIT_\d+__/, "the run to finish");
    assert.match(screen, /__EXIT_0__/);
  } finally {
    pane.close();
  }
  const exported = await runCli(["export", runId, "--format", "json"], { home: home.path });
  const { run } = JSON.parse(exported.stdout);
  assert.equal(run.status, "completed");
  assert.equal(run.steps.note.userSelection, 2, "the merged candidate was picked by hand");
});
