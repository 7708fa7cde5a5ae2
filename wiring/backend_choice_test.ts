import assert from "node:assert/strict";
import { resolveConfig } from "../config.ts";
import { ConfigurationError, ValidationError } from "../engine/errors.ts";
import { createRunEvent } from "../tests/contracts/backend_contract.ts";
import { createTestDatabase } from "../tests/postgres_test_database.ts";
import { Workspaces } from "../storage/lmdb/workspaces.ts";
import { chooseBackendFactory, openWorkspaceBackend } from "./backend_choice.ts";

async function withHome(body: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "writeit-backend-choice-" });
  try {
    new Workspaces(home).init();
    await body(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("chooseBackendFactory() gives the LMDB backend when nothing is configured", async () => {
  await withHome(async (home) => {
    const config = resolveConfig({ home, env: {} });
    const factory = await chooseBackendFactory(config, { home });
    assert.equal(factory.kind, "lmdb");
    assert.deepEqual((await factory.listWorkspaces()).map((workspace) => workspace.name), [
      "default",
    ]);
  });
});

Deno.test("openWorkspaceBackend() opens the named workspace of the configured backend", async () => {
  await withHome(async (home) => {
    const config = resolveConfig({ home, env: { WRITEIT_STORAGE: "lmdb" } });
    const backend = await openWorkspaceBackend(config, { home, workspace: "default" });
    try {
      assert.equal(backend.kind, "lmdb");
      assert.equal(backend.workspace, "default");
      assert.match(backend.describe().location, /workspaces[\\/]default[\\/]data$/);
    } finally {
      await backend.close();
    }
  });
});

Deno.test("chooseBackendFactory() refuses storage settings that contradict or name no database", async () => {
  await withHome(async (home) => {
    const byName = resolveConfig({ home, env: { WRITEIT_STORAGE: "postgres" } });
    await assert.rejects(chooseBackendFactory(byName, { home }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(
        error.message,
        /^storage\.backend is "postgres" \(from WRITEIT_STORAGE\) but no database is given: set storage\.url or WRITEIT_DATABASE_URL/,
      );
      return true;
    });
    const contradiction = resolveConfig({
      home,
      env: { WRITEIT_STORAGE: "lmdb", WRITEIT_DATABASE_URL: "postgres://writeit@db.example/w" },
    });
    await assert.rejects(
      chooseBackendFactory(contradiction, { home }),
      (error: unknown) =>
        error instanceof ValidationError &&
        /^storage\.backend is "lmdb" \(from WRITEIT_STORAGE\) but storage\.url \(from WRITEIT_DATABASE_URL\) is a postgres:\/\/ URL/
          .test(error.message),
    );
    const unknown = resolveConfig({ home, env: { WRITEIT_DATABASE_URL: "mysql://db/w" } });
    await assert.rejects(
      chooseBackendFactory(unknown, { home }),
      (error: unknown) =>
        error instanceof ValidationError &&
        /is not a database URL WriteIt knows/.test(error.message),
    );
  });
});

Deno.test("chooseBackendFactory() gives the PostgreSQL backend for a postgres:// URL", async () => {
  await withHome(async (home) => {
    await using database = await createTestDatabase();
    const config = resolveConfig({ home, env: { WRITEIT_DATABASE_URL: database.url } });
    const factory = await chooseBackendFactory(config, { home });
    assert.equal(factory.kind, "postgres");
    const backend = await openWorkspaceBackend(config, { home, workspace: "default" });
    try {
      assert.equal(backend.kind, "postgres");
      assert.equal(backend.workspace, "default");
      assert.match(backend.describe().location, /^postgres:\/\/postgres@127\.0\.0\.1:5432\//);
      await backend.events.append("r1", [createRunEvent()], { expectedVersion: 0 });
      assert.equal((await backend.events.listRuns()).length, 1);
    } finally {
      await backend.close();
    }
  });
});

Deno.test("openWorkspaceBackend() on an unreachable database is a one-line error naming the URL without its password", async () => {
  await withHome(async (home) => {
    const config = resolveConfig({
      home,
      env: { WRITEIT_DATABASE_URL: "postgres://writeit:hunter2@127.0.0.1:1/writeit" },
    });
    await assert.rejects(
      openWorkspaceBackend(config, { home, workspace: "default" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(
          error.message.split("\n").length,
          1,
          "one line",
        );
        assert.match(error.message, /"postgres:\/\/writeit:\*\*\*@127\.0\.0\.1:1\/writeit"/);
        assert.doesNotMatch(error.message, /hunter2/);
        assert.match(error.message, /start the server or fix the host and port/);
        return true;
      },
    );
  });
});
