import assert from "node:assert/strict";
import { initialState, newStepState } from "./run_evolve.ts";
import type { AIResponse, PipelineRun, StepStatus } from "./run_model.ts";
import {
  autoSelection,
  autoSelectionCommands,
  planSteps,
  runCompletion,
  withRunStart,
} from "./step_scheduler.ts";

function run(
  statuses: Record<string, StepStatus>,
  dependencies: Record<string, string[]>,
): PipelineRun {
  const state = initialState("r");
  state.stepOrder = Object.keys(statuses);
  state.stepDependencies = dependencies;
  for (const [id, status] of Object.entries(statuses)) {
    state.steps[id] = { ...newStepState(id), status };
  }
  return state;
}

Deno.test("planSteps() starts every step whose dependencies are done", () => {
  const state = run(
    { brief: "completed", research: "pending", audience: "stale", outline: "pending" },
    { brief: [], research: ["brief"], audience: ["brief"], outline: ["research", "audience"] },
  );
  const plan = planSteps(state);
  assert.deepEqual(plan.start, ["research", "audience"]);
  assert.equal(plan.complete, false);
  assert.deepEqual(planSteps(state, new Set(["research"])).start, ["audience"]);
});

Deno.test("planSteps() separates interrupted, failed and awaiting steps", () => {
  const state = run(
    { a: "running", b: "failed", c: "awaiting_selection", d: "skipped" },
    { a: [], b: [], c: [], d: [] },
  );
  const plan = planSteps(state, new Set());
  assert.deepEqual([plan.interrupted, plan.failed, plan.awaiting], [["a"], ["b"], ["c"]]);
  assert.deepEqual(planSteps(state, new Set(["a"])).interrupted, []);
  assert.equal(planSteps(run({ a: "completed", b: "skipped" }, {})).complete, true);
});

Deno.test("autoSelection() picks the first passing candidate in set and index order, and none when none passes", () => {
  const state = run({ s: "awaiting_selection" }, {});
  const step = state.steps.s;
  step.models = ["m1", "m2"];
  const response = (modelName: string, candidateIndex: number, passed: boolean): AIResponse => ({
    responseId: `${modelName}-${candidateIndex}`,
    stepId: "s",
    generation: 0,
    candidateIndex,
    modelName,
    provider: "offline",
    promptUsed: "p",
    rawOutput: "t",
    processedContent: "t",
    createdAt: "",
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
    processingTime: 0,
    origin: "model",
    cached: false,
    validation: { passed, reasons: passed ? [] : ["too short"] },
  });
  step.responses = [response("m2", 0, true), response("m1", 1, true), response("m1", 0, false)];
  assert.deepEqual(autoSelection(step), { kind: "pick", index: 1 });
  step.responses = [response("m2", 0, false), response("m1", 0, false)];
  assert.deepEqual(autoSelection(step), {
    kind: "no_valid_candidate",
    reason:
      'Step "s" has no candidate that passes validation: [1] m2 #1 too short; [2] m1 #1 too short',
  });
  assert.deepEqual(
    autoSelection(step, { acceptInvalid: true }),
    { kind: "pick", index: 1 },
    "accepting invalid candidates: the first in order",
  );
  step.responses = [];
  assert.equal(autoSelection(step), undefined);
});

Deno.test("autoSelectionCommands() pauses an unattended run at a step with no valid candidate, else leaves the step waiting", () => {
  const state = run({ s: "awaiting_selection" }, {});
  state.status = "running";
  const step = state.steps.s;
  step.models = ["m1"];
  step.responses = [{
    responseId: "r1",
    stepId: "s",
    generation: 0,
    candidateIndex: 0,
    modelName: "m1",
    provider: "offline",
    promptUsed: "p",
    rawOutput: "t",
    processedContent: "t",
    createdAt: "",
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
    processingTime: 0,
    origin: "model",
    cached: false,
    validation: { passed: false, reasons: ["longer than 800 characters (975)"] },
  }];
  const [pause] = autoSelectionCommands(state, step, { unattended: true });
  assert.equal(pause.type, "pauseRun");
  assert.ok(pause.type === "pauseRun" && pause.stepId === "s");
  assert.match(String(pause.type === "pauseRun" && pause.reason), /\[1\] m1 #1 longer than 800/);
  assert.deepEqual(autoSelectionCommands(state, step, {}), [], "auto-approve alone: waits");
  assert.deepEqual(
    autoSelectionCommands({ ...state, status: "paused" }, step, { unattended: true }),
    [],
    "a run already paused keeps its first reason",
  );
  assert.deepEqual(
    autoSelectionCommands(state, step, { unattended: true, acceptInvalid: true }).map((c) =>
      c.type
    ),
    ["selectResponse", "completeStep", "completeRun"],
  );
});

Deno.test("withRunStart() starts the run first only while it is initializing", () => {
  const state = run({ brief: "pending" }, { brief: [] });
  const commands = [{ type: "resumeStep" as const, stepId: "brief" }];
  state.status = "initializing";
  assert.deepEqual(withRunStart(state, commands), [{ type: "startRun" }, ...commands]);
  state.status = "running";
  assert.deepEqual(withRunStart(state, commands), commands);
});

Deno.test("runCompletion() completes a running run only when no other step is open", () => {
  const state = run({ brief: "completed", draft: "running", notes: "skipped" }, {});
  state.status = "running";
  assert.deepEqual(runCompletion(state, "draft"), [{ type: "completeRun" }]);
  assert.deepEqual(runCompletion(state, "brief"), [], "draft is still open");
  state.status = "paused";
  assert.deepEqual(runCompletion(state, "draft"), []);
});
