import assert from "node:assert/strict";
import { join } from "node:path";
import { hostname } from "node:os";
import { type EngineContext, fixedContext, systemContext } from "../../engine/context.ts";
import { ConfigurationError, ConflictError } from "../../engine/errors.ts";
import { ResponseCache } from "../../engine/cache/response_cache.ts";
import type { RunCommand } from "../../engine/run_commands.ts";
import { decide } from "../../engine/run_decider.ts";
import { runFold } from "../../engine/run_evolve.ts";
import {
  applyCommands,
  createRunEvent,
  firstStepCommands,
  waitFor,
} from "../../tests/contracts/backend_contract.ts";
import { backendFactoryContract } from "../../tests/contracts/backend_factory_contract.ts";
import { createTestDatabase } from "../../tests/postgres_test_database.ts";
import { Workspaces } from "../lmdb/workspaces.ts";
import { postgresBackendFactory } from "./postgres_backend.ts";
import { connectPostgres } from "./postgres_connection.ts";
import { LATEST_SCHEMA, migrate, schemaVersion } from "./postgres_migrations.ts";

const DAY = 24 * 60 * 60 * 1000;
const database = await createTestDatabase();

/** A fresh WriteIt home on the test database (each its own workspace names). */
async function fixture(context: EngineContext = fixedContext()) {
  const home = await Deno.makeTempDir({ prefix: "writeit-pg-home-" });
  new Workspaces(home).init();
  const factory = postgresBackendFactory({ url: database.url, home, fold: runFold, context });
  return {
    home,
    factory,
    [Symbol.asyncDispose]: async () => {
      const sql = connectPostgres(database.url, { max: 1 });
      await sql`delete from writeit_workspaces`;
      await sql.end();
      await Deno.remove(home, { recursive: true });
    },
  };
}

backendFactoryContract("PostgreSQL backend", () => fixture());

Deno.test("PostgreSQL backend: a workspace folder of the home is adopted on open, and its folders exist", async () => {
  await using home = await fixture();
  const backend = await home.factory.open("default");
  try {
    assert.equal(backend.kind, "postgres");
    assert.equal(
      (await home.factory.listWorkspaces()).find((row) => row.name === "default")?.active,
      true,
    );
    const description = backend.describe();
    assert.match(description.location, /^postgres:\/\/postgres@127\.0\.0\.1:5432\/writeit_test_/);
    assert.match(description.details?.server ?? "", /^PostgreSQL \d+/);
    assert.equal(backend.library("pipeline").kind, "pipeline");
  } finally {
    await backend.close();
  }
  // A workspace created elsewhere (another machine) gets its folder on first open here.
  const sql = connectPostgres(database.url, { max: 1 });
  await sql`insert into writeit_workspaces (name) values ('remote')`;
  await sql.end();
  const remote = await home.factory.open("remote");
  await remote.close();
  const folder = await Deno.stat(join(home.home, "workspaces", "remote", "pipelines"));
  assert.ok(folder.isDirectory);
});

Deno.test("PostgreSQL backend: two backends on one workspace share runs, live events, cache and leases", async () => {
  await using home = await fixture();
  const a = await home.factory.open("default");
  const b = await home.factory.open("default");
  try {
    const seen: number[] = [];
    const stop = b.events.subscribe("r1", (event) => seen.push(event.sequence), {
      fromSequence: 1,
    });
    await a.events.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(a.events, "r1", firstStepCommands());
    await waitFor(() => seen.length >= 7);
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
    stop();
    assert.deepEqual((await b.events.listRuns()).map((row) => row.runId), ["r1"]);

    const lease = await a.leases.acquire("r1", { owner: "server:a", ttlMs: 60_000 });
    await assert.rejects(
      b.leases.acquire("r1", { owner: "server:b" }),
      (error: unknown) => error instanceof ConflictError && /server:a/.test(error.message),
    );
    await lease.release();

    const now = Date.UTC(2026, 0, 1);
    const entry = {
      text: "Shared answer",
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: 0, estimated: false },
      finishReason: "stop",
      provider: "offline",
      modelId: "brisk",
      createdAt: now,
      expiresAt: now + DAY,
    };
    await a.cache.put("k1", entry);
    await waitFor(() => b.cache.get("k1", now + 1)?.text === "Shared answer");
    // B's memory tier drops what it remembers once A clears the store.
    const memory = new ResponseCache({ store: b.cache, now: () => now + 1 });
    assert.equal(memory.lookup("k1")?.text, "Shared answer");
    const epoch = b.cache.epoch();
    await a.cache.clear();
    await waitFor(() => b.cache.epoch() === epoch + 1);
    assert.equal(memory.lookup("k1"), undefined);
    await a.cache.addStats({ hits: 2, misses: 1 } as never);
    await b.cache.addStats({ hits: 1 } as never);
    await b.cache.refresh();
    assert.equal(b.cache.readStats().hits, 3);
    await memory.close();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("PostgresRunLeases: renewal, expiry and takeover", async () => {
  const context = fixedContext();
  await using home = await fixture(context);
  const a = await home.factory.open("default", { context });
  const b = await home.factory.open("default", { context });
  try {
    const lease = await a.leases.acquire("run-1", { owner: "server:a", ttlMs: 1000 });
    await lease.renew();
    context.advance(999);
    await assert.rejects(b.leases.acquire("run-1", { owner: "server:b" }), ConflictError);
    context.advance(1001);
    const takeover = await b.leases.acquire("run-1", { owner: "server:b" });
    await assert.rejects(lease.renew(), /was lost/);
    await lease.release(); // does not release the new holder's lease
    await assert.rejects(a.leases.acquire("run-1", { owner: "server:c" }), ConflictError);
    await takeover.release();
    await (await a.leases.acquire("run-1", { owner: "server:c" })).release();
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("PostgresRunLeases: a lease whose process on this machine died is taken over at once", async () => {
  await using home = await fixture(systemContext());
  const backend = await home.factory.open("default", { context: systemContext() });
  const sql = connectPostgres(database.url, { max: 1 });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "setTimeout(() => {}, 60000)"],
    }).spawn();
    await sql`insert into writeit_leases (workspace, run_id, owner, token, expires_at, host, pid)
      values ('default', 'run-1', 'cli:dead', 't', ${Date.now() + 60_000}, ${hostname()},
        ${child.pid})`;
    await assert.rejects(
      backend.leases.acquire("run-1", { owner: "cli:new" }),
      /being driven by cli:dead/,
    );
    child.kill("SIGKILL");
    await child.status;
    await (await backend.leases.acquire("run-1", { owner: "cli:new" })).release();
  } finally {
    await sql.end();
    await backend.close();
  }
});

Deno.test("PostgreSQL backend: retention deletes abandoned branches and compacts old completed runs", async () => {
  const context = fixedContext(new Date("2026-01-01T00:00:00Z"));
  await using home = await fixture(context);
  const backend = await home.factory.open("default", { context, snapshotEvery: 4 });
  const store = backend.events;
  const branch = async (parentId: string, childId: string, stepId: string) => {
    const parent = await store.loadRun(parentId);
    await store.append(childId, decide({ type: "branchFrom", stepId }, parent), {
      expectedVersion: parent.version,
    });
  };
  const finish: RunCommand[] = [
    { type: "skipStep", stepId: "outline" },
    { type: "skipStep", stepId: "draft" },
    { type: "skipStep", stepId: "polish" },
    { type: "completeRun" },
  ];
  try {
    await store.append("main", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "main", firstStepCommands());
    await branch("main", "early", "angles");
    await applyCommands(store, "early", [{ type: "startRun" }, { type: "cancelRun" }]);
    await applyCommands(store, "main", finish);
    await branch("main", "dead", "outline");
    await applyCommands(store, "dead", [{ type: "cancelRun" }]);
    context.advance(40 * DAY);
    await branch("main", "recent", "polish");
    const before = await store.loadRun("recent");
    const mainBefore = await store.loadRun("main");
    const report = await backend.retention.prune({ now: context.now() });
    assert.deepEqual(report.deleted.map((row) => row.runId).sort(), ["dead", "early"]);
    assert.deepEqual(report.compacted, [{ runId: "main", upTo: 11, removedEvents: 10 }]);
    assert.deepEqual((await store.listRuns()).map((row) => row.runId).sort(), ["main", "recent"]);
    // States come back through JSON: fields that were undefined are absent, nothing else differs.
    const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
    assert.deepEqual(plain(await store.loadRun("recent")), plain(before));
    assert.deepEqual(plain(await store.loadRun("main")), plain(mainBefore));
  } finally {
    await backend.close();
  }
});

Deno.test("PostgreSQL migrations: applied once, and a newer schema is refused naming the URL without its password", async () => {
  const sql = connectPostgres(database.url, { max: 2 });
  try {
    const [first, second] = await Promise.all([
      migrate(sql, database.url),
      migrate(sql, database.url),
    ]);
    assert.equal(first.version, LATEST_SCHEMA);
    assert.equal(second.version, LATEST_SCHEMA);
    assert.equal(await schemaVersion(sql), LATEST_SCHEMA);
    await sql`insert into writeit_migrations (version, name) values (${
      LATEST_SCHEMA + 1
    }, 'later')`;
    const secretUrl = database.url.replace("postgres@", "postgres:s3cret@");
    await assert.rejects(migrate(sql, secretUrl), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.code, "database_schema_newer");
      assert.match(error.message, /postgres:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
    await sql`delete from writeit_migrations where version > ${LATEST_SCHEMA}`;
  } finally {
    await sql.end();
  }
});

Deno.test("PostgreSQL backend: an unreachable server and a missing database are clear errors", async () => {
  const home = await Deno.makeTempDir({ prefix: "writeit-pg-home-" });
  try {
    const unreachable = postgresBackendFactory({
      url: "postgres://writeit:hunter2@127.0.0.1:1/writeit",
      home,
      fold: runFold,
    });
    await assert.rejects(unreachable.open("default"), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.equal(error.code, "database_unreachable");
      assert.match(
        error.message,
        /^Cannot reach the PostgreSQL database at "postgres:\/\/writeit:\*\*\*@127\.0\.0\.1:1\/writeit"/,
      );
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    assert.throws(
      () => connectPostgres("postgres://writeit:hunter2@127.0.0.1:notaport/writeit"),
      (error: unknown) =>
        error instanceof ConfigurationError && error.code === "database_url" &&
        error.message.includes("writeit:***@") && !error.message.includes("hunter2"),
    );
    const missing = new URL(database.url);
    missing.pathname = "/writeit_no_such_database";
    await assert.rejects(
      postgresBackendFactory({ url: missing.toString(), home, fold: runFold }).listWorkspaces(),
      (error: unknown) => error instanceof ConfigurationError && error.code === "database_missing",
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test({
  name: "PostgreSQL backend: teardown drops the test database",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await database[Symbol.asyncDispose]();
  },
});
