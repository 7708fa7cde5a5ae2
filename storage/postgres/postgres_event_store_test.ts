import assert from "node:assert/strict";
import { fixedContext } from "../../engine/context.ts";
import { runFold } from "../../engine/run_evolve.ts";
import {
  createRunEvent,
  eventStoreContract,
  waitFor,
} from "../../tests/contracts/backend_contract.ts";
import { createTestDatabase } from "../../tests/postgres_test_database.ts";
import { connectPostgres } from "./postgres_connection.ts";
import { PostgresEventStore } from "./postgres_event_store.ts";
import { migrate } from "./postgres_migrations.ts";

const database = await createTestDatabase();
const sql = connectPostgres(database.url);
await migrate(sql, database.url);
let workspaces = 0;

async function newWorkspace(): Promise<string> {
  const name = `ws-${++workspaces}`;
  await sql`insert into writeit_workspaces (name) values (${name})`;
  return name;
}

eventStoreContract("PostgresEventStore", async (context) => {
  const workspace = await newWorkspace();
  const store = await PostgresEventStore.open(sql, {
    workspace,
    fold: runFold,
    context,
    snapshotEvery: 3,
    pollIntervalMs: 50,
  });
  return {
    store,
    importEvents: (runId, events) => store.importEvents(runId, events),
    cleanup: () => store.close(),
  };
});

Deno.test("PostgresEventStore: a second store on the same workspace sees appends through LISTEN/NOTIFY", async () => {
  const workspace = await newWorkspace();
  const other = connectPostgres(database.url);
  const writer = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
  const reader = await PostgresEventStore.open(other, {
    workspace,
    context: fixedContext(),
    pollIntervalMs: 60_000,
  });
  try {
    const seen: string[] = [];
    const stop = reader.subscribe("*", (event) => seen.push(`${event.runId}#${event.sequence}`));
    await writer.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await writer.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
    await writer.append("r2", [createRunEvent()], { expectedVersion: 0 });
    await waitFor(() => seen.length >= 3);
    assert.deepEqual(seen, ["r1#1", "r1#2", "r2#1"]);
    // The reader's view of r1 and a stale append from it.
    assert.equal((await reader.loadRun("r1")).version, 2);
    await assert.rejects(
      reader.append("r1", [{ type: "run_paused", data: {} }], { expectedVersion: 1 }),
      (error: unknown) => (error as { code?: string }).code === "stale_version",
    );
    stop();
  } finally {
    await reader.close();
    await writer.close();
    await other.end();
  }
});

Deno.test("PostgresEventStore: snapshots are written every K events and loading folds from them", async () => {
  const workspace = await newWorkspace();
  const store = await PostgresEventStore.open(sql, {
    workspace,
    context: fixedContext(),
    snapshotEvery: 2,
  });
  try {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    for (let version = 1; version <= 5; version++) {
      await store.append("r1", [{
        type: "step_feedback_added",
        data: { stepId: "angles", text: `note ${version}` },
      }], { expectedVersion: version });
    }
    const rows = await sql<{ sequence: number }[]>`select sequence from writeit_snapshots
      where workspace = ${workspace} and run_id = 'r1' order by sequence`;
    assert.deepEqual(rows.map((row) => row.sequence), [2, 4, 6]);
    const fresh = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
    try {
      const state = await fresh.loadRun("r1", { atSequence: 5 });
      assert.equal(state.steps.angles.feedback.at(-1)?.text, "note 4");
    } finally {
      await fresh.close();
    }
  } finally {
    await store.close();
  }
});

Deno.test("PostgresEventStore: compaction keeps states and deletion refuses runs with branches", async () => {
  const workspace = await newWorkspace();
  const store = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
  try {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    for (let version = 1; version <= 4; version++) {
      await store.append("r1", [{
        type: "step_feedback_added",
        data: { stepId: "angles", text: `note ${version}` },
      }], { expectedVersion: version });
    }
    const before = await store.loadRun("r1");
    assert.equal(await store.compactRun("r1", 4), 3);
    const events = await store.read("r1");
    assert.deepEqual(events.map((event) => [event.sequence, event.type]), [
      [4, "state_snapshot"],
      [5, "step_feedback_added"],
    ]);
    assert.deepEqual(
      (await store.loadRun("r1")).steps.angles.feedback,
      before.steps.angles.feedback,
    );
    await store.deleteRun("r1");
    await assert.rejects(store.loadRun("r1"), { name: "NotFoundError" });
  } finally {
    await store.close();
  }
});

Deno.test("PostgresEventStore: appends that queue up commit together; a stale one fails alone and a branch of a parent in the same batch waits for the next", async () => {
  const workspace = await newWorkspace();
  const store = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
  try {
    await store.append("p", [createRunEvent()], { expectedVersion: 0 });
    // The first append takes the store's transaction; the next ones queue behind it as one batch.
    const busy = store.append("x", [createRunEvent()], { expectedVersion: 0 });
    const started = store.append("p", [{ type: "run_started", data: {} }], {
      expectedVersion: 1,
    });
    const stale = store.append("p", [{ type: "run_cancelled", data: {} }], {
      expectedVersion: 1,
    });
    const branched = store.append("c", [{
      type: "run_branched",
      data: { parentRunId: "p", branchPoint: { stepId: "angles", sequence: 2 } },
    }], { expectedVersion: 2 });
    const other = store.append("q", [createRunEvent()], { expectedVersion: 0 });
    const results = await Promise.allSettled([busy, started, stale, branched, other]);
    assert.deepEqual(results.map((result) => result.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    assert.equal(
      ((results[2] as PromiseRejectedResult).reason as { code?: string }).code,
      "stale_version",
    );
    // p's creation, then x with the rest (or x alone first), then the deferred branch.
    const stats = store.stats();
    assert.deepEqual([stats.appends, stats.events], [5, 5]);
    assert.ok(stats.commits >= 3 && stats.commits <= 4, `${stats.commits} commits for 6 appends`);
    assert.deepEqual((await store.read("p")).map((event) => event.type), [
      "run_created",
      "run_started",
    ]);
    const child = await store.read("c");
    assert.deepEqual(child.map((event) => `${event.runId}#${event.sequence}`), [
      "p#1",
      "p#2",
      "c#3",
    ]);
    assert.equal((await store.loadRun("c")).parentRunId, "p");
    assert.deepEqual(await store.branches("p"), ["c"]);
  } finally {
    await store.close();
  }
});

Deno.test("PostgresEventStore: a batch the database refuses is retried append by append, so only the offending one fails", async () => {
  const workspace = await newWorkspace();
  const store = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
  try {
    await store.append("r", [createRunEvent()], { expectedVersion: 0 });
    // A writer that bypassed the store took sequence 2 without moving the head.
    await sql`insert into writeit_events (workspace, run_id, sequence, id, type, schema_version,
        time, data, metadata)
      values (${workspace}, 'r', 2, 'rogue', 'run_started', 1, '2026-01-01T00:00:00.000Z',
        '{}', '{}')`;
    const results = await Promise.allSettled([
      store.append("x", [createRunEvent()], { expectedVersion: 0 }),
      store.append("r", [{ type: "run_started", data: {} }], { expectedVersion: 1 }),
      store.append("y", [createRunEvent()], { expectedVersion: 0 }),
    ]);
    assert.deepEqual(results.map((result) => result.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const reason = (results[1] as PromiseRejectedResult).reason;
    assert.equal(reason.code, "stale_version", String(reason));
    assert.equal((await store.loadRun("y")).version, 1);
  } finally {
    await store.close();
  }
});

Deno.test("PostgresEventStore: two stores on separate connections racing for the same sequences never both win", async () => {
  const workspace = await newWorkspace();
  const other = connectPostgres(database.url);
  const a = await PostgresEventStore.open(sql, { workspace, context: fixedContext() });
  const b = await PostgresEventStore.open(other, { workspace, context: fixedContext() });
  try {
    await a.append("r", [createRunEvent()], { expectedVersion: 0 });
    let version = 1;
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled([a, b].map((store) =>
        store.append("r", [{
          type: "step_feedback_added",
          data: { stepId: "angles", text: `round ${round}` },
        }], { expectedVersion: version })
      ));
      const won = results.filter((result) => result.status === "fulfilled");
      assert.equal(won.length, 1, `round ${round}: exactly one append wins`);
      for (const result of results) {
        if (result.status === "rejected") assert.equal(result.reason.code, "stale_version");
      }
      version++;
    }
    const events = await b.read("r");
    assert.deepEqual(
      events.map((event) => event.sequence),
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  } finally {
    await a.close();
    await b.close();
    await other.end();
  }
});

Deno.test({
  name: "PostgresEventStore: teardown drops the test database",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await sql.end();
    await database[Symbol.asyncDispose]();
  },
});
