import assert from "node:assert/strict";
import { fixedContext } from "../engine/context.ts";
import { applyCommands, createRunEvent, firstStepCommands } from "./contracts/backend_contract.ts";
import type { RunCommand } from "../engine/run_commands.ts";
import { decide } from "../engine/run_decider.ts";
import { openLmdbEventStore } from "../storage/lmdb/lmdb_event_store.ts";
import { workspacePaths } from "../storage/lmdb/workspaces.ts";
import { serve } from "../serve.ts";
import { runCli, temporaryHome } from "./cli_harness.ts";

const finish: RunCommand[] = [
  { type: "skipStep", stepId: "outline" },
  { type: "skipStep", stepId: "draft" },
  { type: "skipStep", stepId: "polish" },
  { type: "completeRun" },
];

/** A home with three runs: a completed one, its cancelled branch (both from 2020), and a recent one. */
async function seededHome(home: string): Promise<void> {
  const init = await runCli(["init"], { home });
  assert.equal(init.code, 0, init.stderr);
  const context = fixedContext(new Date("2020-01-01T00:00:00Z"));
  const store = openLmdbEventStore(workspacePaths(home, "default").data, { context });
  try {
    await store.append("alpha-1111", [createRunEvent("alpha")], { expectedVersion: 0 });
    await applyCommands(store, "alpha-1111", [...firstStepCommands(), ...finish]);
    const parent = await store.loadRun("alpha-1111", { atSequence: 7 });
    await store.append("alpha-2222", decide({ type: "branchFrom", stepId: "outline" }, parent), {
      expectedVersion: 7,
    });
    await applyCommands(store, "alpha-2222", [{ type: "cancelRun", reason: "went another way" }]);
    context.advance(6 * 365 * 24 * 60 * 60 * 1000);
    await store.append("beta-3333", [createRunEvent("beta")], { expectedVersion: 0 });
  } finally {
    await store.close();
  }
}

Deno.test("writeit runs list filters by status and pipeline, as a table or JSON", async () => {
  await using home = await temporaryHome();
  await seededHome(home.path);
  const all = await runCli(["runs", "list", "--json"], { home: home.path });
  assert.equal(all.code, 0, all.stderr);
  const rows = JSON.parse(all.stdout);
  assert.deepEqual(rows.map((row: { runId: string }) => row.runId), [
    "beta-3333",
    "alpha-2222",
    "alpha-1111",
  ]);
  const completed = JSON.parse(
    (await runCli(["runs", "list", "--status", "completed", "--json"], { home: home.path })).stdout,
  );
  assert.deepEqual(completed.map((row: { runId: string }) => row.runId), ["alpha-1111"]);
  const beta = JSON.parse(
    (await runCli(["runs", "list", "--pipeline", "beta", "--json"], { home: home.path })).stdout,
  );
  assert.deepEqual(beta.map((row: { runId: string }) => row.runId), ["beta-3333"]);
  const table = await runCli(["runs", "list"], { home: home.path });
  assert.equal(table.code, 0);
  assert.match(table.stdout, /alpha-2222\s+alpha\s+cancelled\s+1\/4\s+9\s.*alpha-1111/);
  const bad = await runCli(["runs", "list", "--status", "finished"], { home: home.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown status "finished": use one of initializing, running/);
});

Deno.test("writeit runs list with no match says what was filtered and how many runs there are, locally and with --server", async () => {
  await using home = await temporaryHome();
  await seededHome(home.path);
  const expected: [string[], string][] = [
    [
      ["--status", "paused"],
      'No runs with status "paused" (3 runs in all): drop --status to see them',
    ],
    [
      ["--pipeline", "gamma"],
      'No runs of pipeline "gamma" (3 runs in all): drop --pipeline to see them',
    ],
    [
      ["--status", "cancelled", "--pipeline", "beta"],
      'No runs with status "cancelled" of pipeline "beta" (3 runs in all): drop --status and --pipeline to see them',
    ],
  ];
  const check = async (cli: (args: string[]) => ReturnType<typeof runCli>, where: string) => {
    for (const [flags, message] of expected) {
      const result = await cli(["runs", "list", ...flags]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), message, `${where}: runs list ${flags.join(" ")}`);
    }
    const matching = await cli(["runs", "list", "--status", "cancelled"]);
    assert.match(matching.stdout, /alpha-2222/, `${where}: a filter that matches lists the runs`);
  };
  await check((args) => runCli(args, { home: home.path }), "local");

  const server = await serve({ home: home.path, port: 0, log: () => {} });
  try {
    await using other = await temporaryHome();
    await check(
      (args) => runCli(["--server", server.url, ...args], { home: other.path }),
      "remote",
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("writeit runs list in an empty workspace says how to start a run, filtered or not", async () => {
  await using home = await temporaryHome();
  assert.equal((await runCli(["init"], { home: home.path })).code, 0);
  for (const flags of [[], ["--status", "paused"]]) {
    const result = await runCli(["runs", "list", ...flags], { home: home.path });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no runs yet: start one with `writeit run PIPELINE`/);
  }
});

Deno.test("writeit runs show prints a run by prefix, and its state at an earlier sequence", async () => {
  await using home = await temporaryHome();
  await seededHome(home.path);
  const shown = await runCli(["runs", "show", "alpha-1"], { home: home.path });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /Run\s+alpha-1111/);
  assert.match(shown.stdout, /Status\s+completed/);
  assert.match(shown.stdout, /Branches\s+alpha-2222/);
  assert.match(
    shown.stdout,
    /angles\s+completed\s+1\s+2\s+1\s+14\s+One/,
    "generations count from 1",
  );
  assert.match(
    shown.stdout,
    /outline\s+skipped\s+0\s/,
    "a step that never generated has no generation",
  );
  const events = await runCli(["runs", "events", "alpha-1111"], { home: home.path });
  assert.match(events.stdout, /step_started\s+angles generation 1: /);
  const earlier = JSON.parse(
    (await runCli(["runs", "show", "alpha-1111", "--at", "4", "--json"], { home: home.path }))
      .stdout,
  );
  assert.equal(earlier.version, 4);
  assert.equal(earlier.steps.angles.status, "running");
  assert.equal(earlier.steps.angles.responses.length, 1);
  const ambiguous = await runCli(["runs", "show", "alpha"], { home: home.path });
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.stderr, /matches 2 runs/);
  const missing = await runCli(["runs", "show", "gamma"], { home: home.path });
  assert.equal(missing.code, 1);
  const outOfRange = await runCli(["runs", "show", "beta", "--at", "9"], { home: home.path });
  assert.equal(outOfRange.code, 1);
  assert.match(outOfRange.stderr, /1\.\.1: 9 is out of range/);
});

Deno.test("writeit runs events prints a branch's log through its parent's history", async () => {
  await using home = await temporaryHome();
  await seededHome(home.path);
  const result = await runCli(["runs", "events", "alpha-2222", "--json"], { home: home.path });
  assert.equal(result.code, 0, result.stderr);
  const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(events.map((event) => event.sequence), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(events[0].runId, "alpha-1111");
  assert.equal(events[7].type, "run_branched");
  assert.equal(events[8].type, "run_cancelled");
  const table = await runCli(["runs", "events", "alpha-2222", "--from", "8"], { home: home.path });
  assert.match(table.stdout, /8\s+2020-01-01 00:00:00\s+run_branched\s+from alpha-1111 at 7/);
  assert.match(table.stdout, /9\s+.*run_cancelled\s+went another way/);
  assert.doesNotMatch(table.stdout, /run_created/);
});

Deno.test("writeit runs prune deletes the abandoned branch and compacts the old run, after a dry run", async () => {
  await using home = await temporaryHome();
  await seededHome(home.path);
  const before = (await runCli(["runs", "show", "alpha-1111", "--json"], { home: home.path }))
    .stdout;
  const dry = await runCli(["runs", "prune", "--dry-run"], { home: home.path });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Would delete branch alpha-2222 of alpha-1111 \(cancelled/);
  assert.match(dry.stdout, /Would compact alpha-1111: 10 events folded into a snapshot at 11/);
  assert.equal(
    JSON.parse((await runCli(["runs", "list", "--json"], { home: home.path })).stdout).length,
    3,
  );
  const pruned = JSON.parse(
    (await runCli(["runs", "prune", "--json"], { home: home.path })).stdout,
  );
  assert.deepEqual(pruned.deleted.map((row: { runId: string }) => row.runId), ["alpha-2222"]);
  assert.deepEqual(pruned.compacted, [{ runId: "alpha-1111", upTo: 11, removedEvents: 10 }]);
  const after = await runCli(["runs", "show", "alpha-1111", "--json"], { home: home.path });
  assert.deepEqual(JSON.parse(after.stdout), JSON.parse(before));
  const events = await runCli(["runs", "events", "alpha-1111", "--json"], { home: home.path });
  assert.deepEqual(
    events.stdout.trim().split("\n").map((line) => JSON.parse(line).type),
    ["state_snapshot"],
  );
  const again = await runCli(["runs", "prune"], { home: home.path });
  assert.match(again.stdout, /Nothing to prune/);
});
