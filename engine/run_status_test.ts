import assert from "node:assert/strict";
import { summarizeRun } from "./events/event_store.ts";
import { initialState } from "./run_evolve.ts";
import type { PipelineRun } from "./run_model.ts";
import { runStatusLabel } from "./run_status.ts";

function runWith(status: PipelineRun["status"], steps: Record<string, string>): PipelineRun {
  const state = initialState("run-1");
  state.status = status;
  state.stepOrder = Object.keys(steps);
  for (const [id, stepStatus] of Object.entries(steps)) {
    state.steps[id] = {
      ...state.steps[id],
      stepId: id,
      status: stepStatus as PipelineRun["steps"][string]["status"],
      generation: 0,
      responses: [],
      feedback: [],
      retryCount: 0,
      models: [],
      responseCount: 1,
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
    };
  }
  return state;
}

Deno.test("a running run whose steps wait for the writer reads 'waiting for you', apart from one that generates", () => {
  const waiting = summarizeRun(
    runWith("running", { plan: "completed", write: "awaiting_selection", polish: "pending" }),
  );
  assert.deepEqual(waiting.waitingFor, ["write"]);
  assert.equal(runStatusLabel(waiting), "waiting for you (write)");
  const generating = summarizeRun(runWith("running", { plan: "completed", write: "running" }));
  assert.equal(generating.waitingFor, undefined);
  assert.equal(runStatusLabel(generating), "running");
  const failed = summarizeRun(runWith("running", { plan: "failed" }));
  assert.equal(runStatusLabel(failed), "waiting for you (plan)");
  const paused = summarizeRun(runWith("paused", { plan: "awaiting_selection" }));
  assert.equal(runStatusLabel(paused), "paused");
});
