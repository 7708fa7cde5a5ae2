/**
 * The CLI on the PostgreSQL backend, as subprocesses against a temporary
 * home and a fresh database: a run completes on the offline model and is
 * listed by another CLI process sharing the database from another home
 * (only the database is shared), `writeit doctor` reports the backend, the
 * server version and the schema, and an unreachable database is one clear
 * line naming the URL without its password.
 */
import assert from "node:assert/strict";
import { runCli, temporaryHome } from "./cli_harness.ts";
import { createTestDatabase } from "./postgres_test_database.ts";

Deno.test("writeit run and runs list share one PostgreSQL database across homes; doctor reports it", async () => {
  await using database = await createTestDatabase();
  await using first = await temporaryHome();
  await using second = await temporaryHome();
  const env = { WRITEIT_DATABASE_URL: database.url };
  const run = await runCli([
    "run",
    "quick-article",
    "--input",
    "topic=Shared databases",
    "--model",
    "offline",
    "--yes",
  ], { home: first.path, env });
  assert.equal(run.code, 0, run.stderr);
  const runId = /Run ([0-9a-f-]{36})/.exec(run.stdout + run.stderr)?.[1];

  const listed = await runCli(["runs", "list", "--json"], { home: second.path, env });
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as { runId: string; status: string }[];
  assert.equal(rows.length, 1, listed.stdout);
  assert.equal(rows[0].status, "completed");
  if (runId) assert.equal(rows[0].runId, runId);

  const doctor = await runCli(["doctor", "--json", "--timeout", "500"], {
    home: second.path,
    env: { ...env, WRITEIT_LOCAL_BASE_URL: "http://127.0.0.1:9/v1" },
  });
  const report = JSON.parse(doctor.stdout);
  assert.equal(report.storage.ok, true, doctor.stdout);
  assert.equal(report.storage.backend, "postgres");
  assert.match(report.storage.path, new RegExp(`/${database.name} \\(workspace "default"\\)$`));
  assert.match(report.storage.details.server, /^PostgreSQL \d+/);
  assert.match(report.storage.details.schema, /^version \d+/);
});

Deno.test("writeit workspace create, list, use and remove act on the shared database", async () => {
  await using database = await createTestDatabase();
  await using first = await temporaryHome();
  await using second = await temporaryHome();
  const env = { WRITEIT_DATABASE_URL: database.url };
  const created = await runCli(["workspace", "create", "team", "-d", "Shared notes"], {
    home: first.path,
    env,
  });
  assert.equal(created.code, 0, created.stderr);
  const names = async (home: string) => {
    const listed = await runCli(["workspace", "list", "--json"], { home, env });
    assert.equal(listed.code, 0, listed.stderr);
    return (JSON.parse(listed.stdout) as { name: string }[]).map((row) => row.name);
  };
  assert.ok((await names(second.path)).includes("team"), "another home sees it");
  const used = await runCli(["workspace", "use", "team"], { home: second.path, env });
  assert.equal(used.code, 0, used.stderr);
  const shown = await runCli(["workspace", "info", "--json"], { home: second.path, env });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(JSON.parse(shown.stdout).database, new RegExp(`/${database.name}$`));
  const runs = await runCli(["runs", "list", "--json"], { home: second.path, env });
  assert.equal(runs.code, 0, runs.stderr);
  assert.deepEqual(JSON.parse(runs.stdout), []);
  const removed = await runCli(["workspace", "remove", "team"], { home: first.path, env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.ok(!(await names(first.path)).includes("team"));
});

Deno.test("writeit runs list on an unreachable database says so in one line, without the password", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["runs", "list"], {
    home: home.path,
    env: { WRITEIT_DATABASE_URL: "postgres://writeit:hunter2@127.0.0.1:1/writeit" },
  });
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    /Cannot reach the PostgreSQL database at "postgres:\/\/writeit:\*\*\*@127\.0\.0\.1:1\/writeit"/,
  );
  assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});

Deno.test("writeit serve --database on an unreachable database stops at start with one clear line", async () => {
  await using home = await temporaryHome();
  const result = await runCli([
    "serve",
    "--port",
    "0",
    "--database",
    "postgres://writeit:hunter2@127.0.0.1:1/writeit",
  ], { home: home.path });
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    /Cannot reach the PostgreSQL database at "postgres:\/\/writeit:\*\*\*@127\.0\.0\.1:1\/writeit"/,
  );
  assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);
  const refused = await runCli(["serve", "--port", "0", "--database", "mysql://db/w"], {
    home: home.path,
  });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--database must be a postgres:\/\/ URL/);
});
