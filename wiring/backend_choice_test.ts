import assert from "node:assert/strict";
import { resolveConfig } from "../config.ts";
import { ValidationError } from "../engine/errors.ts";
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

Deno.test("chooseBackendFactory() refuses PostgreSQL, saying how to go back to LMDB", async () => {
  await withHome(async (home) => {
    const byName = resolveConfig({ home, env: { WRITEIT_STORAGE: "postgres" } });
    await assert.rejects(chooseBackendFactory(byName, { home }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(
        error.message,
        'storage.backend is "postgres" (from WRITEIT_STORAGE): the PostgreSQL backend is not available yet; unset storage.backend to use the embedded LMDB backend',
      );
      return true;
    });
    const byUrl = resolveConfig({
      home,
      env: { WRITEIT_DATABASE_URL: "postgres://writeit@db.example/writeit" },
    });
    await assert.rejects(
      openWorkspaceBackend(byUrl, { home, workspace: "default" }),
      (error: unknown) =>
        error instanceof ValidationError &&
        /^storage\.url is a postgres:\/\/ URL/.test(error.message),
    );
  });
});
