/**
 * The run session port's contract (tests/contracts/run_session_contract.ts)
 * against both implementations: two local sessions over one RunService in
 * this process, and two remote sessions over a real server (REST and the
 * run WebSocket), named as the CLI and the dashboard.
 */
import { WriteItClient } from "../client/writeit_client.ts";
import { openRemoteSession } from "../client/remote_run_session.ts";
import { systemContext } from "../engine/context.ts";
import { MemoryEventStore } from "../engine/events/memory_event_store.ts";
import { createOfflineModel } from "../engine/llm/offline_model.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import { RunService } from "../engine/run_service.ts";
import { openLocalSession } from "../engine/run_session_port.ts";
import { serve } from "../serve.ts";
import { temporaryHome } from "./cli_harness.ts";
import { runSessionContract, until } from "./contracts/run_session_contract.ts";

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

runSessionContract("local sessions", async () => {
  const context = systemContext();
  const store = new MemoryEventStore({ context });
  const service = new RunService({
    store,
    context,
    workspace: "test",
    limits: { maxConcurrentCalls: 8, maxConcurrentRuns: 4 },
    models: {
      resolve: (name) =>
        createOfflineModel({ modelId: name.replace(/^offline:/, ""), chunkDelayMs: 1 }),
    },
  });
  const { value: pipeline } = loadPipeline(PIPELINE, { id: "session" });
  const run = await service.createRun(pipeline!, { inputs: { topic: "Sessions" } });
  await service.advance(run.runId);
  const first = await openLocalSession(service, run.runId, { actor: "cli" });
  const second = await openLocalSession(service, run.runId, { actor: "tui" });
  return {
    first,
    second,
    firstPhrase: "from the CLI",
    secondPhrase: "from the terminal UI",
    async [Symbol.asyncDispose]() {
      await first.close();
      await second.close();
      await service.close();
    },
  };
});

runSessionContract("remote sessions", async () => {
  const home = await temporaryHome();
  const server = await serve({
    home: home.path,
    port: 0,
    log: () => {},
    env: { WRITEIT_OFFLINE_CHUNK_DELAY_MS: "1" },
  });
  const starter = new WriteItClient({ baseUrl: server.url });
  const { run } = await starter.createRun({
    pipeline: "quick-article",
    inputs: { topic: "Sessions", audience: "general" },
    model: "offline",
    responses: 2,
    start: true,
  });
  const first = await openRemoteSession(
    new WriteItClient({ baseUrl: server.url, client: "cli" }),
    run.runId,
  );
  await until(
    first,
    (session) => session.run.steps.plan?.status === "awaiting_selection" && !session.driving,
    "the plan step's candidates",
  );
  const second = await openRemoteSession(
    new WriteItClient({ baseUrl: server.url, client: "dashboard" }),
    run.runId,
  );
  return {
    first,
    second,
    firstPhrase: "from the CLI",
    secondPhrase: "from the dashboard",
    async [Symbol.asyncDispose]() {
      await first.close();
      await second.close();
      await server.shutdown();
      await home[Symbol.asyncDispose]();
    },
  };
});
