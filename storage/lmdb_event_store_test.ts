import assert from "node:assert/strict";
import { fixedContext } from "../engine/context.ts";
import {
  applyCommands,
  createRunEvent,
  eventStoreContract,
  firstStepCommands,
  waitFor,
} from "../engine/events/event_store_contract.ts";
import { foldEvents, initialState } from "../engine/run_evolve.ts";
import { LmdbEventStore, openLmdbEventStore } from "./lmdb_event_store.ts";
import { openWorkspaceDatabase } from "./workspace_database.ts";

eventStoreContract("LmdbEventStore", async (context) => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-events-" });
  const store = openLmdbEventStore(directory, { context, snapshotEvery: 3, pollIntervalMs: 20 });
  return {
    store,
    importEvents: (runId, events) => store.importEvents(runId, events),
    cleanup: async () => {
      await store.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
});

async function withStore(
  body: (store: LmdbEventStore, directory: string) => Promise<void>,
  options: { snapshotEvery?: number } = {},
): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-events-" });
  const store = openLmdbEventStore(directory, { context: fixedContext(), ...options });
  try {
    await body(store, directory);
  } finally {
    await store.close();
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("LmdbEventStore.loadRun() uses snapshots and agrees with a full replay at every sequence", async () => {
  await withStore(async (store) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "r1", firstStepCommands());
    for (let version = 7; version < 40; version++) {
      await store.append("r1", [{
        type: "step_feedback_added",
        data: { stepId: "outline", text: `note ${version}` },
      }], { expectedVersion: version });
    }
    const events = await store.read("r1");
    assert.equal(events.length, 40);
    assert.deepEqual(
      [...store.streams.snapshots.getKeys({ start: ["r1", 0], end: ["r1", 1000] })],
      [["r1", 5], ["r1", 10], ["r1", 15], ["r1", 20], ["r1", 25], ["r1", 30], ["r1", 35], [
        "r1",
        40,
      ]],
    );
    for (let sequence = 1; sequence <= 40; sequence++) {
      const replayed = foldEvents(initialState("r1"), events.slice(0, sequence));
      assert.deepEqual(
        await store.loadRun("r1", { atSequence: sequence }),
        replayed,
        `at ${sequence}`,
      );
    }
    // Reopened in a fresh store (no cache): still the same, from snapshots.
    const again = new LmdbEventStore(store.database, { snapshotEvery: 5 });
    assert.deepEqual(await again.loadRun("r1"), foldEvents(initialState("r1"), events));
    assert.deepEqual(
      await again.loadRun("r1", { atSequence: 25 }),
      foldEvents(initialState("r1"), events.slice(0, 25)),
    );
    await again.close();
  }, { snapshotEvery: 5 });
});

Deno.test("LmdbEventStore keeps runs and projections across reopen, sharing the environment", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-events-" });
  try {
    const database = openWorkspaceDatabase(directory);
    const cache = database.openStore<string>("llm_cache", { encoding: "string" });
    await cache.put("k", "cached answer");
    const store = new LmdbEventStore(database, { context: fixedContext() });
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "r1", firstStepCommands());
    await store.close();
    await database.close();

    const reopened = openLmdbEventStore(directory);
    assert.equal((await reopened.loadRun("r1")).steps.angles.selectedText, "One");
    const step = reopened.projections.steps.get(["r1", "angles"]);
    assert.deepEqual(step?.responseIds, ["a1", "a2"]);
    assert.equal(step?.status, "completed");
    assert.deepEqual(reopened.projections.responses.get("a2"), {
      runId: "r1",
      stepId: "angles",
      sequence: 5,
    });
    assert.equal(reopened.projections.runs.get("r1")?.doneSteps, 1);
    assert.equal(
      reopened.database.openStore<string>("llm_cache", { encoding: "string" }).get("k"),
      "cached answer",
    );
    await reopened.close();
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("LmdbEventStore.append() shares commits between concurrent appends of many runs", async () => {
  await withStore(async (store) => {
    const runs = Array.from({ length: 50 }, (_, index) => `run-${index}`);
    await Promise.all(
      runs.map((id) => store.append(id, [createRunEvent()], { expectedVersion: 0 })),
    );
    const before = store.stats();
    await Promise.all(runs.map(async (id) => {
      for (let version = 1; version <= 10; version++) {
        await store.append(id, [{ type: "run_paused", data: {} }], { expectedVersion: version });
      }
    }));
    const after = store.stats();
    assert.equal(after.appends - before.appends, 500);
    assert.ok(after.commits - before.commits <= 50, `${after.commits - before.commits} commits`);
  });
});

Deno.test("LmdbEventStore.subscribe() sees events appended by another store on the same environment within 100 ms", async () => {
  await withStore(async (store, directory) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    const seen: { runId: string; sequence: number; at: number }[] = [];
    const stop = store.subscribe("*", (event) => {
      seen.push({ runId: event.runId, sequence: event.sequence, at: performance.now() });
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { openLmdbEventStore } from "${
          new URL("./lmdb_event_store.ts", import.meta.url).href
        }";
         const store = openLmdbEventStore(${JSON.stringify(directory)});
         await store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
         console.log(performance.timeOrigin + performance.now());
         await store.close();`,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const output = await child.output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const ackedAt = Number(new TextDecoder().decode(output.stdout).trim());
    await waitFor(() => seen.length === 1, 1000);
    stop();
    assert.deepEqual(seen.map(({ runId, sequence }) => [runId, sequence]), [["r1", 2]]);
    const delay = performance.timeOrigin + seen[0].at - ackedAt;
    assert.ok(delay < 100, `seen ${delay.toFixed(1)} ms after the other process's ack`);
  }, {});
});

Deno.test("LmdbEventStore.compactRun() folds a prefix into one snapshot event and keeps branches readable", async () => {
  await withStore(async (store) => {
    await store.append("p", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "p", firstStepCommands());
    const parent = await store.loadRun("p", { atSequence: 5 });
    const branch = [{
      type: "run_branched" as const,
      data: { parentRunId: "p", branchPoint: { stepId: "angles", sequence: 5 } },
    }];
    void parent;
    await store.append("c", branch, { expectedVersion: 5 });
    const childBefore = await store.read("c");
    const childState = await store.loadRun("c");
    const finalState = await store.loadRun("p");
    const removed = await store.compactRun("p", 4);
    assert.equal(removed, 3);
    const events = await store.read("p");
    assert.deepEqual(events.map((event) => [event.sequence, event.type]), [
      [4, "state_snapshot"],
      [5, "step_response_generated"],
      [6, "step_response_selected"],
      [7, "step_completed"],
    ]);
    assert.deepEqual(await store.loadRun("p"), finalState);
    const fresh = new LmdbEventStore(store.database);
    assert.deepEqual(await fresh.loadRun("p"), finalState);
    assert.deepEqual(await fresh.loadRun("c"), childState);
    await fresh.close();
    const childAfter = await store.read("c");
    assert.deepEqual(
      foldEvents(initialState("c"), childAfter),
      foldEvents(initialState("c"), childBefore),
    );
    await assert.rejects(store.loadRun("p", { atSequence: 2 }), /compacted/);
  });
});

Deno.test("LmdbEventStore.deleteRun() refuses a run that branches read through", async () => {
  await withStore(async (store) => {
    await store.append("p", [createRunEvent()], { expectedVersion: 0 });
    await store.append("c", [{
      type: "run_branched",
      data: { parentRunId: "p", branchPoint: { stepId: "angles", sequence: 1 } },
    }], { expectedVersion: 1 });
    await assert.rejects(store.deleteRun("p"), /branches "c" read through it/);
    await store.deleteRun("c");
    assert.deepEqual(await store.branches("p"), []);
    await store.deleteRun("p");
    assert.deepEqual(await store.listRuns(), []);
    assert.equal(store.head("p"), undefined);
  });
});

Deno.test("LmdbEventStore.append() that fails midway writes none of its events, and its batch still commits", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-events-" });
  // Without validation a malformed event reaches the write and fails while folding.
  const store = openLmdbEventStore(directory, { context: fixedContext(), validate: false });
  try {
    await store.append("broken", [createRunEvent()], { expectedVersion: 0 });
    await store.append("healthy", [createRunEvent()], { expectedVersion: 0 });
    const malformed = { type: "step_response_generated", data: { stepId: "angles" } } as never;
    const [failed, succeeded] = await Promise.allSettled([
      store.append("broken", [{ type: "run_paused", data: {} }, malformed], { expectedVersion: 1 }),
      store.append("healthy", [{ type: "run_paused", data: {} }], { expectedVersion: 1 }),
    ]);
    assert.equal(failed.status, "rejected");
    assert.equal(succeeded.status, "fulfilled");
    assert.equal(store.head("broken")?.head, 1, "no event of the failed append was kept");
    assert.equal(store.streams.events.get(["broken", 2]), undefined, "not even unreachable");
    assert.deepEqual((await store.read("broken")).map((event) => event.type), ["run_created"]);
    assert.equal((await store.loadRun("broken")).status, "initializing");
    assert.equal((await store.loadRun("healthy")).status, "paused");
    // The stream is still usable at its old head.
    await store.append("broken", [{ type: "run_paused", data: {} }], { expectedVersion: 1 });
    assert.equal(store.head("broken")?.head, 2);
  } finally {
    await store.close();
    await Deno.remove(directory, { recursive: true });
  }
});
