/**
 * The contract every backend factory keeps, whatever stores it: workspaces
 * are created, listed, opened and removed by name; an opened backend appends
 * and reads events with expected versions, keeps the cache tier, versions
 * library documents, hands out one lease per run and describes where it
 * keeps the workspace. Each adapter's test
 * calls `backendFactoryContract` with a way to make a fresh factory.
 */
import assert from "node:assert/strict";
import type { BackendFactory } from "../../engine/backend.ts";
import { ConflictError, NotFoundError } from "../../engine/errors.ts";
import { createRunEvent } from "./backend_contract.ts";

/** Registers the contract's tests for one adapter. */
export function backendFactoryContract(
  name: string,
  setup: () => Promise<{ factory: BackendFactory } & AsyncDisposable>,
): void {
  Deno.test(`${name}: workspaces are created, listed, refused twice and removed by name`, async () => {
    await using fixture = await setup();
    const { factory } = fixture;
    await factory.createWorkspace("team-notes", { description: "Shared" });
    await assert.rejects(factory.createWorkspace("team-notes"), ConflictError);
    await assert.rejects(factory.createWorkspace("../escape"));
    const names = (await factory.listWorkspaces()).map((workspace) => workspace.name);
    assert.ok(names.includes("team-notes"), names.join());
    await factory.removeWorkspace("team-notes");
    assert.ok(
      !(await factory.listWorkspaces()).some((workspace) => workspace.name === "team-notes"),
    );
    await assert.rejects(factory.open("team-notes"), NotFoundError);
  });

  Deno.test(`${name}: a backend keeps events, cache entries, documents and leases`, async () => {
    await using fixture = await setup();
    const { factory } = fixture;
    await factory.createWorkspace("contract");
    const backend = await factory.open("contract");
    try {
      const appended = await backend.events.append("run-1", [createRunEvent()], {
        expectedVersion: 0,
      });
      assert.equal(appended.lastSequence, 1);
      await assert.rejects(
        backend.events.append("run-1", [{ type: "run_started", data: {} }], { expectedVersion: 0 }),
        ConflictError,
      );
      const events = await backend.events.read("run-1");
      assert.deepEqual(events.map((event) => [event.sequence, event.type]), [[1, "run_created"]]);

      const now = Date.UTC(2026, 0, 1);
      const cached = {
        text: "Cached answer",
        usage: {
          inputTokens: 3,
          outputTokens: 2,
          totalTokens: 5,
          costUsd: 0,
          estimated: false,
        },
        finishReason: "stop",
        provider: "offline",
        modelId: "brisk",
        createdAt: now,
        expiresAt: now + 1_000,
      };
      await backend.cache.put("key-1", cached);
      assert.equal(backend.cache.get("key-1", now + 10)?.text, "Cached answer");
      assert.equal(backend.cache.get("key-1", now + 5_000), undefined, "expired");
      await backend.cache.put("key-2", cached);
      const epoch = backend.cache.epoch();
      assert.equal(await backend.cache.clear(), 1);
      assert.equal(backend.cache.get("key-2", now + 10), undefined, "cleared");
      assert.equal(backend.cache.epoch(), epoch + 1, "a clear raises the epoch");

      const first = await backend.documents.put("style", "plain", "tone: plain");
      const second = await backend.documents.put("style", "plain", "tone: plainer");
      assert.deepEqual([first.version, second.version], [1, 2]);
      assert.equal((await backend.documents.get("style", "plain"))?.text, "tone: plainer");
      assert.equal((await backend.documents.get("style", "plain", 1))?.text, "tone: plain");
      assert.deepEqual(
        (await backend.documents.versions("style", "plain")).map((doc) => doc.version),
        [1, 2],
      );
      assert.equal(await backend.documents.remove("style", "plain"), true);
      assert.equal(await backend.documents.get("style", "plain"), undefined);

      const lease = await backend.leases.acquire("run-1", { owner: "first", ttlMs: 60_000 });
      await assert.rejects(
        backend.leases.acquire("run-1", { owner: "second", ttlMs: 60_000 }),
        (error: unknown) => error instanceof ConflictError && /first/.test(error.message),
      );
      await lease.release();
      const next = await backend.leases.acquire("run-1", { owner: "second", ttlMs: 60_000 });
      await next.release();

      const description = backend.describe();
      assert.equal(description.kind, backend.kind);
      assert.equal(description.kind, factory.kind);
      assert.ok(description.location.trim().length > 0, "a location people can read");
      if (description.bytes !== undefined) {
        assert.ok(Number.isInteger(description.bytes) && description.bytes >= 0);
      }
    } finally {
      await backend.close();
    }
  });
}
