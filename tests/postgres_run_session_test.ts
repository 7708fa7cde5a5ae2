/**
 * The run session port's contract (tests/contracts/run_session_contract.ts)
 * across two "processes" on one PostgreSQL database: two RunServices, each
 * on its own backend (own connection pool, own LISTEN connection) of the
 * same workspace, a local session on each. What one decides reaches the
 * other through the database alone.
 */
import { systemContext } from "../engine/context.ts";
import { createOfflineModel } from "../engine/llm/offline_model.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import { runFold } from "../engine/run_evolve.ts";
import { RunService } from "../engine/run_service.ts";
import { openLocalSession } from "../engine/run_session_port.ts";
import { Workspaces } from "../storage/lmdb/workspaces.ts";
import { postgresBackendFactory } from "../storage/postgres/mod.ts";
import { runSessionContract } from "./contracts/run_session_contract.ts";
import { createTestDatabase } from "./postgres_test_database.ts";

const PIPELINE = `
metadata: { name: "Session" }
defaults: { model: "offline:writer", responses_per_step: 2 }
inputs:
  topic: { type: text, required: true }
steps:
  plan: { prompt_template: "Plan {{ inputs.topic }}" }
  write: { prompt_template: "Write {{ steps.plan }}" }
  polish: { prompt_template: "Polish {{ steps.write }}" }
`;

runSessionContract("local sessions on two PostgreSQL backends", async () => {
  const database = await createTestDatabase();
  const home = await Deno.makeTempDir({ prefix: "writeit-pg-session-" });
  new Workspaces(home).init();
  const context = systemContext();
  const factory = postgresBackendFactory({ url: database.url, home, fold: runFold, context });
  const backends = [await factory.open("default"), await factory.open("default")];
  const services = backends.map((backend) =>
    new RunService({
      store: backend.events,
      leases: backend.leases,
      context,
      workspace: "default",
      limits: { maxConcurrentCalls: 8, maxConcurrentRuns: 4 },
      models: {
        resolve: (name) =>
          createOfflineModel({ modelId: name.replace(/^offline:/, ""), chunkDelayMs: 1 }),
      },
    })
  );
  const { value: pipeline } = loadPipeline(PIPELINE, { id: "session" });
  const run = await services[0].createRun(pipeline!, { inputs: { topic: "Sessions" } });
  await services[0].advance(run.runId);
  const first = await openLocalSession(services[0], run.runId, { actor: "cli" });
  const second = await openLocalSession(services[1], run.runId, { actor: "tui" });
  return {
    first,
    second,
    firstPhrase: "from the CLI",
    secondPhrase: "from the terminal UI",
    async [Symbol.asyncDispose]() {
      await first.close();
      await second.close();
      for (const service of services) await service.close();
      for (const backend of backends) await backend.close();
      await Deno.remove(home, { recursive: true });
      await database[Symbol.asyncDispose]();
    },
  };
});
