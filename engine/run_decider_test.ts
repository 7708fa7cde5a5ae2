import assert from "node:assert/strict";
import { fixedContext } from "./context.ts";
import { InvalidCommandError } from "./errors.ts";
import type { EventEnvelope, NewEvent } from "./events/event_envelope.ts";
import { stampEvents } from "./events/event_stamping.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide, dependentsOf, evolve, initialState } from "./run_decider.ts";
import type { AIResponse, PipelineRun } from "./run_model.ts";

const created: RunCommand = {
  type: "createRun",
  pipelineId: "tech-article",
  pipelineHash: "sha256:abc",
  workspace: "default",
  stepOrder: ["angles", "outline", "draft", "polish"],
  stepDependencies: {},
  inputs: { topic: "LMDB" },
};

function response(stepId: string, id: string, text: string, generation = 0): AIResponse {
  return {
    responseId: id,
    stepId,
    generation,
    candidateIndex: 0,
    modelName: "offline",
    provider: "offline",
    promptUsed: "prompt",
    rawOutput: text,
    processedContent: text,
    createdAt: "2026-01-01T00:00:00.000Z",
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, costUsd: 0.5, estimated: false },
    processingTime: 0.1,
    origin: "model",
    cached: false,
    validation: { passed: true, reasons: [] },
  };
}

/** Folds the events the commands produce, in order, as a store would. */
function run(commands: RunCommand[]): { state: PipelineRun; events: EventEnvelope[] } {
  const context = fixedContext();
  let state = initialState("run-1");
  const all: EventEnvelope[] = [];
  for (const command of commands) {
    const events = decide(command, state);
    const stamped = stampEvents("run-1", events, {
      expectedVersion: state.version,
      head: state.version,
      exists: state.version > 0,
      context,
    });
    for (const event of stamped) {
      state = evolve(state, event);
      all.push(event);
    }
  }
  return { state, events: all };
}

function types(events: NewEvent[]): string[] {
  return events.map((event) => event.type);
}

function rejects(state: PipelineRun, command: RunCommand, code: string): void {
  assert.throws(() => decide(command, state), (error: unknown) => {
    assert.ok(error instanceof InvalidCommandError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const started: RunCommand[] = [created, { type: "startRun" }];
const startAngles: RunCommand = {
  type: "startStep",
  stepId: "angles",
  prompt: "Write angles about LMDB",
  models: ["offline"],
  responseCount: 2,
};
const anglesDone: RunCommand[] = [
  ...started,
  startAngles,
  { type: "recordResponse", stepId: "angles", response: response("angles", "a1", "Angle one") },
  { type: "recordResponse", stepId: "angles", response: response("angles", "a2", "Angle two") },
  { type: "selectResponse", stepId: "angles", index: 1 },
  { type: "completeStep", stepId: "angles" },
];
const outlineDone: RunCommand[] = [
  ...anglesDone,
  {
    type: "startStep",
    stepId: "outline",
    prompt: "Outline",
    models: ["offline"],
    responseCount: 1,
  },
  { type: "recordResponse", stepId: "outline", response: response("outline", "o1", "Outline") },
  { type: "selectResponse", stepId: "outline", responseId: "o1" },
  { type: "completeStep", stepId: "outline" },
];

Deno.test("decide() createRun fills missing dependencies with the previous step", () => {
  const { state, events } = run([created]);
  assert.deepEqual(types(events), ["run_created"]);
  assert.deepEqual(state.stepDependencies, {
    angles: [],
    outline: ["angles"],
    draft: ["outline"],
    polish: ["draft"],
  });
  assert.equal(state.status, "initializing");
  assert.equal(state.currentStep, "angles");
  assert.equal(state.version, 1);
  rejects(state, created, "run_exists");
});

Deno.test("decide() rejects commands on a run that was never created", () => {
  rejects(initialState("nope"), { type: "startRun" }, "run_not_created");
});

Deno.test("decide() rejects a dependency on an unknown step", () => {
  rejects(
    initialState("r"),
    { ...created, stepDependencies: { outline: ["angels"] } } as RunCommand,
    "unknown_dependency",
  );
});

Deno.test("evolve() moves a step to awaiting_selection once every candidate is in", () => {
  const { state } = run([
    ...started,
    startAngles,
    { type: "recordResponse", stepId: "angles", response: response("angles", "a1", "one") },
  ]);
  assert.equal(state.steps.angles.status, "running");
  const after = run([
    ...started,
    startAngles,
    { type: "recordResponse", stepId: "angles", response: response("angles", "a1", "one") },
    { type: "recordResponse", stepId: "angles", response: response("angles", "a2", "two") },
  ]).state;
  assert.equal(after.steps.angles.status, "awaiting_selection");
  assert.equal(after.steps.angles.prompt, "Write angles about LMDB");
  assert.equal(after.steps.angles.usage.totalTokens, 30);
  assert.equal(after.usage.costUsd, 1);
});

Deno.test("decide() startStep rejects a step before its dependencies", () => {
  const { state } = run(started);
  rejects(
    state,
    { type: "startStep", stepId: "outline", prompt: "p", models: ["m"], responseCount: 1 },
    "dependencies_incomplete",
  );
});

Deno.test("decide() startStep needs a running run", () => {
  const { state } = run([created]);
  rejects(state, startAngles, "run_not_running");
});

Deno.test("decide() selectResponse rejects an index or id out of range", () => {
  const { state } = run(anglesDone.slice(0, 5));
  rejects(state, { type: "selectResponse", stepId: "angles", index: 2 }, "selection_out_of_range");
  rejects(
    state,
    { type: "selectResponse", stepId: "angles", responseId: "zz" },
    "selection_out_of_range",
  );
  rejects(state, { type: "selectResponse", stepId: "angles" }, "selection_out_of_range");
  rejects(state, { type: "selectResponse", stepId: "angels", index: 0 }, "unknown_step");
});

Deno.test("decide() treats built-in property names as unknown steps, not steps", () => {
  const { state } = run(anglesDone.slice(0, 5));
  for (const stepId of ["toString", "constructor", "valueOf", "hasOwnProperty", "__proto__"]) {
    rejects(state, { type: "selectResponse", stepId, index: 0 }, "unknown_step");
    rejects(state, { type: "rewindTo", stepId }, "unknown_step");
    rejects(state, { type: "branchFrom", stepId }, "unknown_step");
    rejects(state, { type: "addFeedback", stepId, text: "x" }, "unknown_step");
  }
});

Deno.test("decide() completeStep records the selected text and moves the current step", () => {
  const { state, events } = run(anglesDone);
  assert.deepEqual(types(events).slice(-2), ["step_response_selected", "step_completed"]);
  assert.equal(state.steps.angles.status, "completed");
  assert.equal(state.steps.angles.userSelection, 1);
  assert.equal(state.steps.angles.selectedText, "Angle two");
  assert.equal(state.currentStep, "outline");
});

Deno.test("decide() completeStep needs a selection or an edit", () => {
  const { state } = run(anglesDone.slice(0, 5));
  rejects(state, { type: "completeStep", stepId: "angles" }, "nothing_selected");
});

/** A started run whose "angles" step has been regenerated three times (the limit), now at generation 3. */
function threeRegenerations(): RunCommand[] {
  const commands: RunCommand[] = [...started, startAngles];
  for (let generation = 0; generation < 3; generation++) {
    commands.push(
      {
        type: "recordResponse",
        stepId: "angles",
        response: response("angles", `a${generation}-1`, "x", generation),
      },
      {
        type: "recordResponse",
        stepId: "angles",
        response: response("angles", `a${generation}-2`, "y", generation),
      },
      { type: "regenerateStep", stepId: "angles" },
      { ...startAngles } as RunCommand,
    );
  }
  return commands;
}

Deno.test("decide() regenerateStep rejects a fourth retry", () => {
  const commands = threeRegenerations();
  commands.push(
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-1", "z", 3) },
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-2", "w", 3) },
  );
  const { state } = run(commands);
  assert.equal(state.steps.angles.retryCount, 3);
  assert.equal(state.steps.angles.generation, 3);
  assert.equal(state.steps.angles.responses.length, 8, "every generation's candidates are kept");
  rejects(state, { type: "regenerateStep", stepId: "angles" }, "retry_limit_reached");
});

Deno.test("decide() regenerateStep increments the generation and keeps feedback", () => {
  const { state, events } = run([
    ...anglesDone.slice(0, 5),
    { type: "addFeedback", stepId: "angles", text: "More technical" },
    { type: "regenerateStep", stepId: "angles", reason: "feedback" },
  ]);
  assert.deepEqual(types(events).slice(-2), ["step_feedback_added", "step_retried"]);
  assert.equal(state.steps.angles.generation, 1);
  assert.equal(state.steps.angles.status, "pending");
  assert.deepEqual(state.steps.angles.feedback.map((f) => [f.text, f.generation]), [[
    "More technical",
    0,
  ]]);
  rejects(state, { type: "addFeedback", stepId: "angles", text: "  " }, "empty_feedback");
});

Deno.test("decide() rejects acting on a completed or cancelled run but allows branching", () => {
  const commands: RunCommand[] = [...started, { type: "cancelRun", reason: "no" }];
  const { state } = run(commands);
  assert.equal(state.status, "cancelled");
  rejects(state, startAngles, "run_finished");
  rejects(state, { type: "resumeRun" }, "run_finished");
  const branch = decide({ type: "branchFrom", stepId: "angles" }, state);
  assert.deepEqual(branch, [{
    type: "run_branched",
    data: { parentRunId: "run-1", branchPoint: { stepId: "angles", sequence: 3 } },
  }]);
});

Deno.test("decide() completeRun needs every step completed or skipped", () => {
  const { state } = run(outlineDone);
  rejects(state, { type: "completeRun" }, "steps_incomplete");
  const done = run([
    ...outlineDone,
    { type: "skipStep", stepId: "draft" },
    { type: "skipStep", stepId: "polish", reason: "short piece" },
    { type: "completeRun" },
  ]).state;
  assert.equal(done.status, "completed");
  assert.equal(done.currentStep, undefined);
  rejects(done, { type: "rewindTo", stepId: "outline" }, "run_finished");
});

Deno.test("decide() selectResponse on a changed selection invalidates dependants with results", () => {
  const { state } = run(outlineDone);
  const events = decide({ type: "selectResponse", stepId: "angles", index: 0 }, state);
  assert.deepEqual(events, [
    { type: "step_response_selected", data: { stepId: "angles", responseId: "a1" } },
    {
      type: "steps_invalidated",
      data: { stepIds: ["outline"], cause: { stepId: "angles", kind: "selection" } },
    },
  ]);
  const after = run([...outlineDone, { type: "selectResponse", stepId: "angles", index: 0 }]).state;
  assert.equal(after.steps.outline.status, "stale");
  assert.equal(after.steps.outline.selectedText, "Outline", "a stale step keeps its result");
  assert.equal(after.steps.angles.selectedText, "Angle one");
  assert.equal(after.currentStep, "outline");
  assert.deepEqual(decide({ type: "selectResponse", stepId: "angles", index: 0 }, after), []);
});

Deno.test("decide() editStep rejects empty text and invalidates dependants", () => {
  const { state } = run(outlineDone);
  rejects(state, { type: "editStep", stepId: "angles", text: " " }, "empty_edit");
  const after = run([...outlineDone, { type: "editStep", stepId: "angles", text: "My angle" }]);
  assert.deepEqual(types(after.events).slice(-2), ["step_edited", "steps_invalidated"]);
  assert.equal(after.state.steps.angles.selectedText, "My angle");
  assert.equal(after.state.steps.outline.status, "stale");
});

Deno.test("decide() mergeResponses needs two existing candidates and selects the merge", () => {
  const { state } = run(anglesDone.slice(0, 5));
  const merged = { ...response("angles", "m1", "Both angles"), origin: "model" as const };
  rejects(
    state,
    { type: "mergeResponses", stepId: "angles", sourceResponseIds: ["a1"], response: merged },
    "merge_needs_two",
  );
  rejects(
    state,
    { type: "mergeResponses", stepId: "angles", sourceResponseIds: ["a1", "zz"], response: merged },
    "selection_out_of_range",
  );
  const after = run([
    ...anglesDone.slice(0, 5),
    { type: "mergeResponses", stepId: "angles", sourceResponseIds: ["a1", "a2"], response: merged },
  ]).state;
  const step = after.steps.angles;
  assert.equal(step.responses.at(-1)?.origin, "merge");
  assert.deepEqual(step.responses.at(-1)?.sourceResponseIds, ["a1", "a2"]);
  assert.equal(step.userSelection, 2);
  assert.equal(step.selectedText, "Both angles");
  assert.equal(step.mergedContent, "Both angles");
});

Deno.test("decide() rewindTo offers the step's candidates again, keeps history and marks later steps stale", () => {
  // Given angles and outline done, when the writer goes back to angles
  const { state, events } = run([...outlineDone, { type: "rewindTo", stepId: "angles" }]);
  // Then its candidates are offered again: no new generation, nothing to ask a model
  assert.deepEqual(events.slice(-2).map((event) => event.type), ["run_rewound", "step_reopened"]);
  assert.equal(state.steps.angles.status, "awaiting_selection");
  assert.equal(state.steps.angles.generation, 0);
  assert.equal(state.steps.angles.responses.length, 2);
  assert.equal(state.steps.angles.selectedText, undefined);
  assert.equal(state.steps.outline.status, "stale");
  assert.equal(state.steps.draft.status, "pending");
  assert.equal(state.currentStep, "angles");
  // And a new generation comes only when asked for
  const regenerated = decide(
    { type: "regenerateStep", stepId: "angles", reason: "regenerate" },
    state,
  );
  assert.equal(regenerated[0].type, "step_retried");
  // Given a stale step, going back to it starts over (its candidates were prompted from old text)
  const { state: stale } = run([
    ...outlineDone,
    { type: "rewindTo", stepId: "angles" },
    { type: "selectResponse", stepId: "angles", index: 0 },
    { type: "completeStep", stepId: "angles" },
  ]);
  assert.equal(stale.steps.outline.status, "stale");
  const back = decide({ type: "rewindTo", stepId: "outline" }, stale);
  assert.deepEqual(back.map((event) => event.type), ["run_rewound"]);
});

Deno.test("decide() recordResponse rejects a response of another generation or a duplicate", () => {
  const { state } = run([...started, startAngles]);
  rejects(
    state,
    { type: "recordResponse", stepId: "angles", response: response("angles", "x", "t", 1) },
    "generation_mismatch",
  );
  const one = run([
    ...started,
    startAngles,
    { type: "recordResponse", stepId: "angles", response: response("angles", "x", "t") },
  ]).state;
  rejects(
    one,
    { type: "recordResponse", stepId: "angles", response: response("angles", "x", "t") },
    "duplicate_response",
  );
  rejects(
    one,
    { type: "recordResponse", stepId: "angles", response: response("outline", "y", "t") },
    "response_step_mismatch",
  );
});

Deno.test("decide() resumeStep continues an interrupted step without counting a retry", () => {
  const commands: RunCommand[] = [
    ...started,
    startAngles,
    { type: "recordResponse", stepId: "angles", response: response("angles", "a1", "one") },
  ];
  const { state } = run([...commands, { type: "resumeStep", stepId: "angles" }]);
  assert.equal(state.steps.angles.status, "running");
  assert.equal(state.steps.angles.retryCount, 0);
  assert.equal(state.steps.angles.responses.length, 1, "finished candidates are kept");
  rejects(run(anglesDone).state, { type: "resumeStep", stepId: "angles" }, "step_not_interrupted");
});

Deno.test("decide() run state machine rejects invalid transitions", () => {
  const { state } = run(started);
  rejects(state, { type: "startRun" }, "invalid_transition");
  rejects(state, { type: "resumeRun" }, "invalid_transition");
  const paused = run([...started, { type: "pauseRun", reason: "tea" }]).state;
  assert.equal(paused.status, "paused");
  rejects(paused, startAngles, "run_not_running");
  const failed = run([...started, { type: "failRun", error: "provider down" }]).state;
  assert.equal(failed.status, "error");
  assert.equal(failed.error, "provider down");
  const resumed = run([...started, { type: "failRun", error: "x" }, { type: "resumeRun" }]).state;
  assert.equal(resumed.status, "running");
  assert.equal(resumed.error, undefined);
});

Deno.test("dependentsOf() follows dependencies transitively", () => {
  const { state } = run([{
    ...created,
    stepDependencies: { outline: ["angles"], draft: ["outline"], polish: ["angles"] },
  } as RunCommand]);
  assert.deepEqual(dependentsOf(state, "angles"), ["outline", "draft", "polish"]);
  assert.deepEqual(dependentsOf(state, "outline"), ["draft"]);
});

Deno.test("evolve() does not change its input state", () => {
  const { state } = run(anglesDone.slice(0, 4));
  const before = JSON.stringify(state);
  const events = decide(
    { type: "recordResponse", stepId: "angles", response: response("angles", "a2", "two") },
    state,
  );
  const [event] = stampEvents("run-1", events, {
    expectedVersion: state.version,
    head: state.version,
    exists: true,
    context: fixedContext(),
  });
  const next = evolve(state, event);
  assert.equal(JSON.stringify(state), before);
  assert.equal(next.steps.angles.responses.length, 2);
  assert.equal(next.usage.totalTokens, state.usage.totalTokens + 15);
});

Deno.test("decide() rewindTo does not reset the regenerate limit", () => {
  const commands = threeRegenerations();
  commands.push(
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-1", "z", 3) },
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-2", "w", 3) },
    { type: "selectResponse", stepId: "angles", index: 0 },
    { type: "completeStep", stepId: "angles" },
    { type: "rewindTo", stepId: "angles" },
    { ...startAngles } as RunCommand,
    { type: "recordResponse", stepId: "angles", response: response("angles", "a4-1", "v", 4) },
    { type: "recordResponse", stepId: "angles", response: response("angles", "a4-2", "u", 4) },
  );
  const { state } = run(commands);
  assert.equal(state.steps.angles.status, "awaiting_selection");
  assert.equal(state.steps.angles.retryCount, 3);
  rejects(state, { type: "regenerateStep", stepId: "angles" }, "retry_limit_reached");
});

Deno.test("decide() selectResponse and completeStep reject a stale step", () => {
  const { state } = run([
    ...outlineDone,
    { type: "editStep", stepId: "angles", text: "A different angle" },
  ]);
  assert.equal(state.steps.outline.status, "stale");
  rejects(state, { type: "selectResponse", stepId: "outline", index: 0 }, "step_stale");
  rejects(state, { type: "completeStep", stepId: "outline" }, "step_stale");
});

Deno.test("decide() selectResponse rejects a step that is still generating", () => {
  const { state } = run([
    ...started,
    startAngles,
    { type: "recordResponse", stepId: "angles", response: response("angles", "a1", "One") },
  ]);
  assert.equal(state.steps.angles.status, "running");
  rejects(state, { type: "selectResponse", stepId: "angles", index: 0 }, "step_running");
});

Deno.test("decide() an upstream edit invalidates a dependant that is still generating", () => {
  const { state } = run([
    ...anglesDone,
    {
      type: "startStep",
      stepId: "outline",
      prompt: "Outline from Angle two",
      models: ["offline"],
      responseCount: 1,
    },
    { type: "editStep", stepId: "angles", text: "A different angle" },
  ]);
  assert.equal(state.steps.outline.status, "stale");
  // A late candidate of the old prompt is refused.
  rejects(
    state,
    { type: "recordResponse", stepId: "outline", response: response("outline", "o1", "Old") },
    "step_not_running",
  );
});

Deno.test("evolve() keeps a generation's candidates in model order, then candidate order", () => {
  const first = { ...response("angles", "late", "B"), modelName: "gpt", candidateIndex: 1 };
  const second = { ...response("angles", "early", "A"), modelName: "gpt", candidateIndex: 0 };
  const third = { ...response("angles", "claude", "C"), modelName: "claude", candidateIndex: 0 };
  const { state } = run([
    ...started,
    { ...startAngles, models: ["gpt", "claude"], responseCount: 2 } as RunCommand,
    { type: "recordResponse", stepId: "angles", response: third },
    { type: "recordResponse", stepId: "angles", response: first },
    { type: "recordResponse", stepId: "angles", response: second },
  ]);
  assert.deepEqual(state.steps.angles.responses.map((r) => r.responseId), [
    "early",
    "late",
    "claude",
  ]);
});

Deno.test("decide() refuses a branch or rewind point whose earlier steps are not all done", () => {
  // Given angles done and outline done, rewound to angles (angles waits again, outline stale)
  const { state: rewound } = run([...outlineDone, { type: "rewindTo", stepId: "angles" }]);
  // When someone branches from, or rewinds to, a step after angles
  // Then it is refused, naming the unfinished step and the point that would work
  for (
    const [command, code] of [
      [{ type: "branchFrom", stepId: "draft" }, "branch_point_not_ready"],
      [{ type: "rewindTo", stepId: "outline" }, "rewind_point_not_ready"],
    ] as const
  ) {
    rejects(rewound, command, code);
    assert.throws(
      () => decide(command, rewound),
      /: "angles" \(awaiting_selection\)(, "outline" \(stale\))? before it (is|are) not completed yet: finish (it|them) first, or (branch from|rewind to) "angles"$/,
    );
  }
  // And the point itself, or one before it, is fine
  assert.deepEqual(types(decide({ type: "branchFrom", stepId: "angles" }, rewound)), [
    "run_branched",
    "step_reopened",
  ]);
  assert.deepEqual(types(decide({ type: "rewindTo", stepId: "angles" }, rewound)), [
    "run_rewound",
    "step_reopened",
  ]);
  // Given every step before draft done, branching from draft is fine
  const { state: ready } = run(outlineDone);
  assert.deepEqual(types(decide({ type: "branchFrom", stepId: "draft" }, ready)), ["run_branched"]);
  // And polish is refused: draft, before it, is not done yet
  rejects(ready, { type: "branchFrom", stepId: "polish" }, "branch_point_not_ready");
});

Deno.test("evolve() keeps a hand edit as a candidate of origin edit, still choosable after going back", () => {
  // Given angles done with candidate 2, and outline done
  // When the writer edits angles, with the step's validation applied to the text
  const edited = "Angle two, sharpened by hand";
  const { state: afterEdit, events } = run([
    ...outlineDone,
    {
      type: "editStep",
      stepId: "angles",
      text: edited,
      basedOnResponseId: "a2",
      validation: { passed: false, reasons: ["shorter than 500 characters (28)"] },
    },
  ]);
  // Then the edit is a third candidate, selected, made from a2, with its validation
  const angles = afterEdit.steps.angles;
  assert.equal(angles.responses.length, 3);
  const edit = angles.responses[2];
  assert.equal(edit.origin, "edit");
  assert.equal(edit.processedContent, edited);
  assert.deepEqual(edit.sourceResponseIds, ["a2"]);
  assert.equal(edit.responseId, `edit-${events.at(-2)!.id}`);
  assert.deepEqual(edit.validation.reasons, ["shorter than 500 characters (28)"]);
  assert.equal(angles.userSelection, 2);
  assert.equal(angles.selectedText, edited);
  assert.equal(afterEdit.steps.outline.status, "stale");
  // When the writer goes back to angles and picks the edit again by number
  const { state: back } = run([
    ...outlineDone,
    { type: "editStep", stepId: "angles", text: edited, basedOnResponseId: "a2" },
    { type: "rewindTo", stepId: "angles" },
  ]);
  assert.equal(back.steps.angles.status, "awaiting_selection");
  assert.deepEqual(back.steps.angles.responses.map((r) => r.origin), ["model", "model", "edit"]);
  assert.equal(
    decide({ type: "selectResponse", stepId: "angles", index: 2 }, back)[0].type,
    "step_response_selected",
  );
  // And a branch from angles offers it too
  const branched = decide({ type: "branchFrom", stepId: "angles" }, back);
  assert.deepEqual(types(branched), ["run_branched", "step_reopened"]);
});

Deno.test("evolve() an edit that repeats a candidate's text selects that candidate, adding none", () => {
  const { state } = run([
    ...outlineDone,
    { type: "editStep", stepId: "angles", text: "Angle one" },
  ]);
  assert.equal(state.steps.angles.responses.length, 2);
  assert.equal(state.steps.angles.userSelection, 0);
  assert.equal(state.steps.outline.status, "stale");
});

Deno.test("decide() going back marks every later step that had results stale, transitively; steps never run stay pending", () => {
  // Given angles and outline done, draft awaiting a pick, polish never run
  const { state } = run([
    ...outlineDone,
    { type: "startStep", stepId: "draft", prompt: "Draft", models: ["offline"], responseCount: 1 },
    { type: "recordResponse", stepId: "draft", response: response("draft", "d1", "Draft") },
    { type: "rewindTo", stepId: "angles" },
  ]);
  // Then angles waits again, outline and draft (it read outline) are stale, polish pending
  assert.deepEqual(
    state.stepOrder.map((id) => state.steps[id].status),
    ["awaiting_selection", "stale", "stale", "pending"],
  );
  // And an edit of a done step is its result, as a candidate of origin edit
  const { state: edited } = run([
    ...outlineDone,
    { type: "editStep", stepId: "outline", text: "My outline" },
  ]);
  assert.equal(edited.steps.outline.status, "completed");
  assert.equal(edited.steps.outline.responses.at(-1)!.origin, "edit");
});

Deno.test("decide() changeModel records the run's new model once; a finished run refuses it", () => {
  // Given a run waiting at angles
  const { state } = run([...started, startAngles]);
  // When the model changes, the event says from what to what, and the fold keeps it
  const events = decide({ type: "changeModel", model: "offline:editor" }, state);
  assert.deepEqual(events, [{ type: "run_model_changed", data: { model: "offline:editor" } }]);
  const { state: changed } = run([
    ...started,
    startAngles,
    { type: "changeModel", model: "offline:editor" },
  ]);
  assert.equal(changed.options?.modelOverride, "offline:editor");
  // Then the same model again changes nothing
  assert.deepEqual(decide({ type: "changeModel", model: "offline:editor" }, changed), []);
  assert.deepEqual(decide({ type: "changeModel", model: "gpt-4.1" }, changed)[0].data, {
    model: "gpt-4.1",
    previous: "offline:editor",
  });
  // And a completed run refuses it
  const { state: cancelled } = run([...started, { type: "cancelRun" }]);
  rejects(cancelled, { type: "changeModel", model: "offline:editor" }, "run_finished");
});

Deno.test("decide() a regenerate to ask another model does not count against the step's regenerations", () => {
  // Given angles regenerated as often as allowed, its last candidates in
  const commands = threeRegenerations();
  commands.push(
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-1", "z", 3) },
    { type: "recordResponse", stepId: "angles", response: response("angles", "a3-2", "w", 3) },
  );
  const { state } = run(commands);
  rejects(state, { type: "regenerateStep", stepId: "angles" }, "retry_limit_reached");
  // When it is asked again because the run moved to another model, it goes, and counts nothing
  const events = decide({ type: "regenerateStep", stepId: "angles", reason: "model" }, state);
  assert.equal(events[0].type, "step_retried");
  const { state: after } = run([...commands, {
    type: "regenerateStep",
    stepId: "angles",
    reason: "model",
  }]);
  assert.equal(after.steps.angles.retryCount, state.steps.angles.retryCount);
});

Deno.test("decide() rateResponse records a rating and note on a candidate, even on a finished run", () => {
  // Given angles done, with candidates a1 and a2
  const { state } = run(anglesDone);
  // When the writer rates a2 down with a note
  const { state: rated } = run([
    ...anglesDone,
    {
      type: "rateResponse",
      stepId: "angles",
      responseId: "a2",
      rating: "down",
      note: " Too vague ",
    },
  ]);
  // Then the step keeps it, and nothing else changes
  assert.deepEqual(rated.steps.angles.ratings?.a2?.rating, "down");
  assert.equal(rated.steps.angles.ratings?.a2?.note, "Too vague");
  assert.equal(rated.steps.angles.status, state.steps.angles.status);
  assert.equal(rated.steps.angles.userSelection, state.steps.angles.userSelection);
  // The same rating again changes nothing; "none" without a note takes it back
  assert.deepEqual(
    decide({
      type: "rateResponse",
      stepId: "angles",
      responseId: "a2",
      rating: "down",
      note: "Too vague",
    }, rated),
    [],
  );
  const { state: cleared } = run([
    ...anglesDone,
    { type: "rateResponse", stepId: "angles", responseId: "a2", rating: "down" },
    { type: "rateResponse", stepId: "angles", responseId: "a2", rating: "none" },
  ]);
  assert.deepEqual(cleared.steps.angles.ratings, {});
  // An unknown candidate is refused; a cancelled run still takes ratings
  rejects(
    state,
    { type: "rateResponse", stepId: "angles", responseId: "zz", rating: "up" },
    "selection_out_of_range",
  );
  const { state: cancelled } = run([...anglesDone, { type: "cancelRun" }]);
  assert.equal(
    decide({ type: "rateResponse", stepId: "angles", responseId: "a1", rating: "up" }, cancelled)[0]
      .type,
    "response_rated",
  );
});
