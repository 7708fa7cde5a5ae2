import assert from "node:assert/strict";
import { fixedContext } from "../../engine/context.ts";
import {
  applyCommands,
  createRunEvent,
  eventStoreContract,
  firstStepCommands,
  waitFor,
} from "../../tests/contracts/backend_contract.ts";
import { foldEvents, initialState } from "../../engine/run_evolve.ts";
import { LmdbEventStore, openLmdbEventStore } from "./lmdb_event_store.ts";
import { eventRow } from "./lmdb_run_streams.ts";
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

Deno.test("LmdbEventStore.append() accepts a run's next append before the previous one is durable", async () => {
  await withStore(async (store) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    // A pipelined writer: three appends in flight at once, each at the version the last will reach.
    const results = await Promise.all([1, 2, 3].map((version) =>
      store.append("r1", [{
        type: "step_feedback_added",
        data: { stepId: "angles", text: `note ${version}` },
      }], { expectedVersion: version })
    ));
    assert.deepEqual(results.map((result) => result.lastSequence), [2, 3, 4]);
    const events = await store.read("r1");
    const replayed = foldEvents(initialState("r1"), events);
    assert.deepEqual(await store.loadRun("r1"), replayed);
    assert.equal(store.projections.runs.get("r1")?.version, 4);
    assert.equal(store.projections.steps.get(["r1", "angles"])?.feedbackCount, 3);
    // Reopened without any cache: the same state and rows.
    const fresh = new LmdbEventStore(store.database, {});
    assert.deepEqual(await fresh.loadRun("r1"), replayed);
    await fresh.close();
  });
});

Deno.test("LmdbEventStore.append() rejects what was folded onto an append another store beat", async () => {
  await withStore(async (store) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
    // Another writer on the same environment (as another process would) takes version 3.
    const other = new LmdbEventStore(store.database, {});
    await other.append("r1", [{ type: "run_paused", data: { reason: "other" } }], {
      expectedVersion: 2,
    });
    await other.close();
    // Ours was decided against version 2 and a second one folded onto it: both must fail.
    const [first, second] = await Promise.allSettled([
      store.append("r1", [{ type: "step_feedback_added", data: { stepId: "angles", text: "a" } }], {
        expectedVersion: 2,
      }),
      store.append("r1", [{ type: "step_feedback_added", data: { stepId: "angles", text: "b" } }], {
        expectedVersion: 3,
      }),
    ]);
    assert.equal(first.status, "rejected");
    assert.equal((first as PromiseRejectedResult).reason.code, "stale_version");
    // The second matched the head by chance (3, the other writer's); it was decided afresh, so
    // it sits on the other writer's event, not on our rejected one.
    assert.equal(second.status, "fulfilled");
    const events = await store.read("r1");
    assert.deepEqual(events.map((event) => event.type), [
      "run_created",
      "run_started",
      "run_paused",
      "step_feedback_added",
    ]);
    const replayed = foldEvents(initialState("r1"), events);
    assert.deepEqual(await store.loadRun("r1"), replayed);
    assert.deepEqual(store.projections.runs.get("r1")?.status, replayed.status);
    assert.equal(store.projections.steps.get(["r1", "angles"])?.feedbackCount, 1);
  });
});

Deno.test("LmdbEventStore spreads the snapshots of many runs due at once over several commits", async () => {
  await withStore(async (store) => {
    const runs = Array.from({ length: 30 }, (_, index) => `run-${index}`);
    await Promise.all(
      runs.map((id) => store.append(id, [createRunEvent()], { expectedVersion: 0 })),
    );
    await Promise.all(runs.map(async (id) => {
      for (let version = 1; version < 12; version++) {
        await store.append(id, [{ type: "run_paused", data: {} }], { expectedVersion: version });
      }
    }));
    const snapshots = [...store.streams.snapshots.getKeys({})] as [string, number][];
    // Every run got its first snapshot, some later than at 5 when too many were due together.
    for (const id of runs) {
      const own = snapshots.filter(([runId]) => runId === id).map(([, sequence]) => sequence);
      assert.ok(own.length >= 1 && own[0] >= 5, `${id}: ${own}`);
      assert.ok(own.every((sequence, index) => index === 0 || sequence - own[index - 1] >= 5));
      const fresh = new LmdbEventStore(store.database, { snapshotEvery: 5 });
      assert.deepEqual(
        await fresh.loadRun(id),
        foldEvents(initialState(id), await store.read(id)),
      );
      await fresh.close();
    }
    const firsts = runs.map((id) => snapshots.find(([runId]) => runId === id)![1]);
    assert.ok(firsts.some((sequence) => sequence > 5), `none deferred: ${firsts}`);
  }, { snapshotEvery: 5 });
});

Deno.test("LmdbEventStore.append() rejects ids too long for an LMDB key and writes nothing", async () => {
  await withStore(async (store) => {
    const runId = "r".repeat(2000);
    await assert.rejects(
      store.append(runId, [createRunEvent()], { expectedVersion: 0 }),
      /LMDB keys hold at most/,
    );
    assert.equal(store.head(runId), undefined);
    assert.deepEqual(await store.listRuns(), []);
  });
});

Deno.test("LmdbEventStore reads rows written with msgpack records by earlier versions", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-events-" });
  try {
    // Earlier versions opened the stores with lmdb's defaults (records) and had no `snapshot` in heads.
    const earlier = openWorkspaceDatabase(directory);
    const writer = new LmdbEventStore(earlier, { context: fixedContext(), snapshotEvery: 0 });
    await writer.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(writer, "r1", firstStepCommands());
    const events = await writer.read("r1");
    const summary = writer.projections.runs.get("r1")!;
    const step = writer.projections.steps.get(["r1", "angles"])!;
    await writer.close();
    await earlier.close();
    // Rewrite the rows as earlier versions stored them: default stores, heads without `snapshot`.
    const legacy = openWorkspaceDatabase(directory);
    await legacy.transaction(() => {
      const rows = legacy.openStore<unknown, [string, number]>("run_events");
      for (const event of events) rows.putSync(["r1", event.sequence], eventRow(event));
      legacy.openStore<unknown, string>("run_heads").putSync("r1", { head: events.length });
      legacy.openStore<unknown, string>("runs").putSync("r1", summary);
      legacy.openStore<unknown, [string, string]>("run_steps").putSync(["r1", "angles"], step);
    });
    await legacy.close();

    const reopened = openLmdbEventStore(directory, { snapshotEvery: 5 });
    try {
      assert.deepEqual(await reopened.read("r1"), events);
      assert.deepEqual(reopened.projections.runs.get("r1"), summary);
      assert.deepEqual(reopened.projections.steps.get(["r1", "angles"]), step);
      // A head without `snapshot` (at 7): the next snapshot still comes at the next multiple, 10.
      for (let version = events.length; version < 10; version++) {
        await reopened.append("r1", [{ type: "run_paused", data: {} }], {
          expectedVersion: version,
        });
      }
      assert.deepEqual([...reopened.streams.snapshots.getKeys({})], [["r1", 10]]);
      assert.deepEqual(
        await reopened.loadRun("r1"),
        foldEvents(initialState("r1"), await reopened.read("r1")),
      );
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
