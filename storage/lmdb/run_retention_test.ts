import assert from "node:assert/strict";
import { fixedContext } from "../../engine/context.ts";
import {
  applyCommands,
  createRunEvent,
  firstStepCommands,
} from "../../tests/contracts/backend_contract.ts";
import type { RunCommand } from "../../engine/run_commands.ts";
import { decide } from "../../engine/run_decider.ts";
import { foldEvents, initialState } from "../../engine/run_evolve.ts";
import { type LmdbEventStore, openLmdbEventStore } from "./lmdb_event_store.ts";
import { pruneRuns } from "./run_retention.ts";

const DAY = 24 * 60 * 60 * 1000;
const finish: RunCommand[] = [
  { type: "skipStep", stepId: "outline" },
  { type: "skipStep", stepId: "draft" },
  { type: "skipStep", stepId: "polish" },
  { type: "completeRun" },
];

async function branch(store: LmdbEventStore, parentId: string, childId: string, stepId: string) {
  const parent = await store.loadRun(parentId);
  await store.append(childId, decide({ type: "branchFrom", stepId }, parent), {
    expectedVersion: parent.version,
  });
}

Deno.test("pruneRuns() deletes abandoned branches leaf first and compacts old completed runs without breaking the runs it keeps", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-retention-" });
  const context = fixedContext(new Date("2026-01-01T00:00:00Z"));
  const store = openLmdbEventStore(directory, { context, snapshotEvery: 4 });
  try {
    await store.append("main", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "main", firstStepCommands());
    await branch(store, "main", "early", "angles"); // branches at 7, cancelled: abandoned
    await applyCommands(store, "early", [{ type: "startRun" }, { type: "cancelRun" }]);
    await applyCommands(store, "main", finish); // main: 11 events, completed
    await branch(store, "main", "dead", "outline"); // branches at 11, cancelled later
    await applyCommands(store, "dead", [{ type: "cancelRun" }]);
    await branch(store, "main", "chain", "outline");
    await branch(store, "chain", "chain-leaf", "outline");
    context.advance(40 * DAY);
    await branch(store, "main", "recent", "polish");

    await applyCommands(store, "recent", [{ type: "startRun" }]);
    const before = new Map<string, unknown>();
    for (const runId of ["main", "recent"]) before.set(runId, await store.loadRun(runId));

    const dry = await pruneRuns(store, { now: context.now(), dryRun: true });
    assert.deepEqual(dry.deleted.map((row) => row.runId).sort(), [
      "chain",
      "chain-leaf",
      "dead",
      "early",
    ]);
    assert.ok(
      dry.deleted.findIndex((row) => row.runId === "chain-leaf") <
        dry.deleted.findIndex((row) => row.runId === "chain"),
      "a leaf goes before its parent",
    );
    assert.deepEqual(dry.compacted, [{ runId: "main", upTo: 11, removedEvents: 10 }]);
    assert.equal((await store.listRuns()).length, 6, "a dry run changes nothing");

    const report = await pruneRuns(store, { now: context.now(), abandonedAfterMs: 30 * DAY });
    assert.deepEqual(report.deleted.map((row) => row.runId).sort(), [
      "chain",
      "chain-leaf",
      "dead",
      "early",
    ]);
    assert.deepEqual(report.compacted, [{ runId: "main", upTo: 11, removedEvents: 10 }]);
    assert.deepEqual((await store.listRuns()).map((row) => row.runId).sort(), ["main", "recent"]);
    assert.deepEqual(await store.branches("main"), ["recent"]);
    await assert.rejects(store.read("dead"), /not found/);
    assert.equal(store.projections.responses.get("a1")?.runId, "main");

    assert.deepEqual(await store.loadRun("main"), before.get("main"));
    assert.deepEqual(await store.loadRun("recent"), before.get("recent"));
    const events = await store.read("recent");
    assert.equal(events[0].type, "state_snapshot");
    assert.deepEqual(foldEvents(initialState("recent"), events), before.get("recent"));

    const again = await pruneRuns(store, { now: context.now() });
    assert.deepEqual(again, { dryRun: false, deleted: [], compacted: [] });
  } finally {
    await store.close();
    await Deno.remove(directory, { recursive: true });
  }
});
