/**
 * Two `serve` instances in one process, each with its own home, on one
 * PostgreSQL database: a run created and driven on A is streamed to a
 * RunSocket on B (every event once, in order, through LISTEN/NOTIFY), both
 * list it, and B sees the workspaces A creates. The three-process test with
 * a SIGKILL takeover is still to come.
 */
import assert from "node:assert/strict";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { WriteItClient } from "../client/mod.ts";
import { serve } from "../serve.ts";
import { temporaryHome } from "./cli_harness.ts";
import { createTestDatabase } from "./postgres_test_database.ts";

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("Two servers on one PostgreSQL database: a run driven on A streams to a socket on B", async () => {
  await using database = await createTestDatabase();
  await using homeA = await temporaryHome();
  await using homeB = await temporaryHome();
  const env = { WRITEIT_DATABASE_URL: database.url };
  const a = await serve({ home: homeA.path, port: 0, log: () => {}, env });
  const b = await serve({ home: homeB.path, port: 0, log: () => {}, env });
  try {
    const clientA = new WriteItClient({ baseUrl: a.url });
    const clientB = new WriteItClient({ baseUrl: b.url });
    const { run } = await clientA.createRun({
      pipeline: "quick-article",
      inputs: { topic: "Shared databases" },
      model: "offline",
    });
    const socket = clientB.watch(run.runId, { since: run.version });
    const events: EventEnvelope[] = [];
    socket.on("event", (event) => events.push(event));
    try {
      await waitFor(() => socket.state === "open", "the hello on B");
      const started = await clientA.startRun(run.runId, { autoSelect: true });
      assert.equal(started.driving, true);
      await waitFor(
        () => events.some((event) => event.type === "run_completed"),
        "run_completed on B",
      );
      assert.deepEqual(
        events.map((event) => event.sequence),
        Array.from({ length: events.length }, (_, index) => run.version + 1 + index),
        "every event once, in order",
      );
      const final = await clientB.getRun(run.runId);
      assert.equal(final.status, "completed");
      assert.equal(final.version, events.at(-1)!.sequence);
      assert.deepEqual((await clientB.listRuns()).runs.map((row) => row.runId), [run.runId]);
    } finally {
      await socket.close();
    }
    await clientA.createWorkspace("team");
    const names = (await clientB.listWorkspaces()).map((row) => row.name);
    assert.ok(names.includes("team"), names.join());
    // B opens it (giving it a folder in B's home) and sees the same, empty, workspace.
    assert.equal((await clientB.getWorkspace("team")).runs, 0);
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});
