import assert from "node:assert/strict";
import { openWorkspaceDatabase } from "./workspace_database.ts";

Deno.test("openWorkspaceDatabase() keeps named stores in one environment across reopen", async () => {
  const directory = await Deno.makeTempDir({ prefix: "writeit-db-" });
  try {
    const first = openWorkspaceDatabase(directory);
    const events = first.openStore<{ n: number }>("events");
    const runs = first.openStore<string>("runs", { encoding: "string" });
    assert.equal(first.openStore("events"), events);
    await first.transaction(() => {
      events.putSync("a", { n: 1 });
      runs.putSync("r1", "created");
    });
    await first.close();

    const second = openWorkspaceDatabase(directory);
    assert.deepEqual(second.openStore<{ n: number }>("events").get("a"), { n: 1 });
    assert.equal(second.openStore<string>("runs", { encoding: "string" }).get("r1"), "created");
    await second.close();
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
