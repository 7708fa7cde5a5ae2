import { join } from "node:path";
import { resolveConfig } from "./config.ts";
import { systemContext } from "./engine/context.ts";
import { runFold } from "./engine/run_evolve.ts";
import { openLmdbBackendAt } from "./storage/lmdb/lmdb_backend.ts";
import { createWorkspaceServices } from "./wiring/workspace_services.ts";
import { loadPipeline } from "./engine/pipeline_loader.ts";
import { ProviderRegistry } from "./engine/llm/provider_registry.ts";
const counts = new Map<string, number>();
let on = false;
function where(kind: string) {
  if (!on) return;
  const frames = (new Error().stack ?? "").split("\n").filter((l) => l.includes("wt-cost/") && !l.includes("cost_probe") && !l.includes("workspace_database"));
  const key = kind + " " + (frames[0] ?? "?").trim().replace(/.*wt-cost\//, "");
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
const root = await Deno.makeTempDir();
const backend = openLmdbBackendAt("bench", root, join(root, "data"), { fold: runFold, context: systemContext() });
const proto = Object.getPrototypeOf(backend.database.root);
for (const name of ["transaction", "put", "remove", "transactionSync"]) {
  const original = proto[name];
  proto[name] = function (...args: unknown[]) { where(name); return original.apply(this, args); };
}
const registry = new ProviderRegistry();
registry.register({ name: "stepbench", create: (modelId) => ({ provider: "stepbench", modelId, async *stream(request) {
  yield { type: "text", text: "Answer " + request.candidateIndex + " " + (request.messages.at(-1)?.content ?? "").slice(-40) }; yield { type: "finish", reason: "stop" }; } }) });
const { service, close } = await createWorkspaceServices({ backend, config: resolveConfig({ home: root, env: {} }), env: {}, actor: "b", registry });
const { value, issues } = loadPipeline(`
metadata:
  name: x
defaults:
  model: "stepbench:zero"
  responses_per_step: 3
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  a:
    name: A
    prompt_template: "A {{ inputs.topic }}"
  b:
    name: B
    prompt_template: "B {{ steps.a }}"
`, { id: "p" }); console.log(issues);
const t0 = (backend.database.root.getStats() as any).lastTxnId;
on = true;
const created = await service.createRun(value!, { inputs: { topic: "t" } });
await service.advance(created.runId);
for (const s of ["a", "b"]) { await service.select(created.runId, s, 0); await service.advance(created.runId); }
await new Promise((r) => setTimeout(r, 100));
console.log("txns", (backend.database.root.getStats() as any).lastTxnId - t0);
console.log(counts);
await close(); await backend.close();
