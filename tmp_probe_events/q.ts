import { openWorkspaceDatabase } from "../storage/workspace_database.ts";
const dir = await Deno.makeTempDir();
const db = openWorkspaceDatabase(dir);
const a = db.openStore("a");
const b = db.openStore("b", {});
const tuple = ["3f1c2a4e-1111-2222-3333-444455556666", "step_feedback_added", 1, new Date().toISOString(), { stepId: "angles", text: "note 1" }, { correlationId: "3f1c2a4e-1111-2222-3333-444455556666" }];
for (const n of [100, 1000]) {
  let t = performance.now();
  await db.transaction(() => { for (let i = 0; i < n; i++) a.putSync(["run-1", i], tuple); });
  console.log("putSync in txn", n, ((performance.now() - t) * 1000 / n).toFixed(1), "µs");
  t = performance.now();
  await db.transaction(() => { for (let i = 0; i < n; i++) a.get(["run-1", i]); });
  console.log("get in txn", n, ((performance.now() - t) * 1000 / n).toFixed(1), "µs");
  t = performance.now();
  let last;
  for (let i = 0; i < n; i++) last = b.put(["run-2", i], tuple);
  await last;
  console.log("async put", n, ((performance.now() - t) * 1000 / n).toFixed(1), "µs");
  t = performance.now();
  await db.transaction(() => { for (let i = 0; i < n; i++) a.put(["run-3", i], tuple); });
  console.log("put in txn", n, ((performance.now() - t) * 1000 / n).toFixed(1), "µs");
}
// time inside callback only
let inside = 0;
await db.transaction(() => { const t = performance.now(); for (let i = 0; i < 1000; i++) a.putSync(["run-4", i], tuple); inside = performance.now() - t; });
console.log("inside putSync", (inside).toFixed(2), "ms per 1000");
await db.transaction(() => { const t = performance.now(); for (let i = 0; i < 1000; i++) a.get(["run-4", i]); inside = performance.now() - t; });
console.log("inside get", (inside).toFixed(2), "ms per 1000");
await db.close();
