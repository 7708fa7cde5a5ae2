import assert from "node:assert/strict";
import { hostname } from "node:os";
import { fixedContext, systemContext } from "../../engine/context.ts";
import { ConflictError } from "../../engine/errors.ts";
import { basename, join } from "node:path";
import { LmdbRunLeases, RELEASE_DELAY_MS } from "./lmdb_run_leases.ts";
import { openWorkspaceDatabase } from "./workspace_database.ts";

Deno.test("LmdbRunLeases.acquire() gives one driver per run across two environments of one folder", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-leases-" });
  const context = fixedContext();
  // Two environments on the same files stand for two processes.
  const first = openWorkspaceDatabase(directory);
  const second = openWorkspaceDatabase(directory);
  try {
    const leasesA = new LmdbRunLeases(first, context);
    const leasesB = new LmdbRunLeases(second, context);
    const lease = await leasesA.acquire("run-1", { owner: "cli:1", ttlMs: 1000 });
    await assert.rejects(
      leasesB.acquire("run-1", { owner: "server:2" }),
      (error: unknown) =>
        error instanceof ConflictError && error.code === "run_leased" &&
        /being driven by cli:1/.test(error.message),
    );
    // Another run is free.
    await (await leasesB.acquire("run-2", { owner: "server:2" })).release();

    await lease.renew();
    context.advance(999);
    await assert.rejects(leasesB.acquire("run-1", { owner: "server:2" }), ConflictError);

    // An expired lease (a killed driver) can be taken over, and the old holder learns it lost it.
    context.advance(1001);
    const takeover = await leasesB.acquire("run-1", { owner: "server:2" });
    await assert.rejects(lease.renew(), /was lost/);
    await lease.release(); // does not release the new holder's lease
    await assert.rejects(leasesA.acquire("run-1", { owner: "cli:3" }), ConflictError);
    await takeover.release();
    await (await leasesA.acquire("run-1", { owner: "cli:3" })).release();
  } finally {
    await first.close();
    await second.close();
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("LmdbRunLeases.acquire() takes over at once a lease whose process no longer exists", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-leases-" });
  const database = openWorkspaceDatabase(directory);
  try {
    // A driver process that took a lease and was then killed.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "setTimeout(() => {}, 60000)"],
    }).spawn();
    const store = database.openStore<Record<string, unknown>>("run_leases");
    await store.put("run-1", {
      owner: "cli:dead",
      token: "t",
      expiresAt: Date.now() + 60_000,
      host: hostname(),
      pid: child.pid,
    });
    const leases = new LmdbRunLeases(database, systemContext());
    await assert.rejects(leases.acquire("run-1", { owner: "cli:new" }), /being driven by cli:dead/);
    child.kill("SIGKILL");
    await child.status;
    const lease = await leases.acquire("run-1", { owner: "cli:new" });
    await lease.release();
  } finally {
    await database.close();
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("LmdbRunLeases: a lease given up and taken back by its driver costs no write; others see it free soon after", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-leases-" });
  const context = fixedContext();
  const first = openWorkspaceDatabase(directory);
  const second = openWorkspaceDatabase(join(directory, "..", basename(directory)));
  const commits = () => (first.root.getStats() as { lastTxnId: number }).lastTxnId;
  try {
    const leasesA = new LmdbRunLeases(first, context);
    const lease = await leasesA.acquire("run-1", { owner: "cli:1" });
    const before = commits();
    await lease.release();
    const again = await leasesA.acquire("run-1", { owner: "cli:1" });
    await again.renew();
    assert.equal(commits(), before + 1, "only the renewal wrote");
    await again.release();
    await lease.release(); // idempotent, and not the holder any more
    // Given up: another driver of this process takes it at once (one write replaces the claim).
    const other = await new LmdbRunLeases(second, context).acquire("run-1", { owner: "cli:2" });
    await assert.rejects(leasesA.acquire("run-1", { owner: "cli:1" }), /being driven by cli:2/);
    await other.release();
    await leasesA.flush();
    const store = first.openStore<Record<string, unknown>>("run_leases");
    await new Promise((resolve) => setTimeout(resolve, 0)); // a fresh read snapshot
    assert.equal(store.get("run-1"), undefined, "flush() wrote the removal");

    await (await leasesA.acquire("run-2", { owner: "cli:1" })).release();
    assert.ok(store.get("run-2"), "the removal waits");
    await new Promise((resolve) => setTimeout(resolve, RELEASE_DELAY_MS + 50));
    assert.equal(store.get("run-2"), undefined, `written within ${RELEASE_DELAY_MS} ms`);
  } finally {
    await first.close();
    await second.close();
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("LmdbRunLeases.acquire() looks again before refusing a run another process gave up moments ago", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-leases-" });
  const database = openWorkspaceDatabase(directory);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "setTimeout(() => {}, 60000)"],
  }).spawn();
  try {
    // A live driver process whose release is written a few milliseconds after we first look.
    const store = database.openStore<Record<string, unknown>>("run_leases");
    await store.put("run-1", {
      owner: "server:other",
      token: "t",
      expiresAt: Date.now() + 60_000,
      host: hostname(),
      pid: child.pid,
    });
    const leases = new LmdbRunLeases(database, systemContext());
    setTimeout(() => store.remove("run-1"), RELEASE_DELAY_MS / 2);
    const lease = await leases.acquire("run-1", { owner: "cli:new" });
    await lease.release();
    await leases.flush();
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await database.close();
    await Deno.remove(directory, { recursive: true });
  }
});
