import { openLmdbEventStore } from "../storage/lmdb_event_store.ts";
import { decide, initialState } from "../engine/run_decider.ts";
const CREATE = { type: "createRun", pipelineId: "p", pipelineHash: "h", workspace: "default", stepOrder: ["angles","outline"], stepDependencies: {}, inputs: {} } as const;
const dir = await Deno.makeTempDir();
const store = openLmdbEventStore(dir, { durability: "committed" });
const created = decide(CREATE as never, initialState())[0];
await Promise.all(Array.from({ length: 100 }, (_, r) => store.append(`r${r}`, [created], { expectedVersion: 0 })));
const t = performance.now();
await Promise.all(Array.from({ length: 100 }, async (_, r) => {
  let v = 1;
  for (let i = 0; i < 100; i++) v = (await store.append(`r${r}`, Array.from({length: 10}, (_, k) => (k % 2 ? { type: "run_paused", data: {reason: "x"} } : { type: "step_feedback_added", data: { stepId: "angles", text: "note " + i } })), { expectedVersion: v })).lastSequence;
}));
const s = (performance.now() - t) / 1000;
const st = store.stats();
console.log(Math.round(100000 / s), "ev/s", (st.writeMs * 1000 / st.events).toFixed(1), "us/event in txn", st.commits, "commits", (s*1000/st.commits).toFixed(2), "ms/commit");
console.log((globalThis as any).P.map((x: number) => x.toFixed(0)).join(" ")); await store.close();
