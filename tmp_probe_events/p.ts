import { openLmdbEventStore } from "../storage/lmdb_event_store.ts";
import { decide, initialState } from "../engine/run_decider.ts";
const CREATE = { type: "createRun", pipelineId: "p", pipelineHash: "h", workspace: "default", stepOrder: ["angles","outline"], stepDependencies: {}, inputs: {} } as const;
for (const durability of ["committed"] as const) for (const validate of [true]) {
  const dir = await Deno.makeTempDir();
  const store = openLmdbEventStore(dir, { durability, validate });
  const created = decide(CREATE as never, initialState())[0];
  await Promise.all(Array.from({ length: 100 }, (_, r) => store.append(`r${r}`, [created], { expectedVersion: 0 })));
  const t = performance.now();
  await Promise.all(Array.from({ length: 100 }, async (_, r) => {
    let v = 1;
    for (let i = 0; i < 300; i++) v = (await store.append(`r${r}`, [{ type: "step_feedback_added", data: { stepId: "angles", text: "note " + i } }], { expectedVersion: v })).lastSequence;
  }));
  const s = (performance.now() - t) / 1000;
  const st = store.stats(); console.log(Math.round(30000 / s), "ev/s", (st.writeMs * 1000 / st.appends).toFixed(1), "us/append");
  await store.close();
}
