import assert from "node:assert/strict";
import { loadPipeline } from "./pipeline_loader.ts";
import { buildStepPrompt, FEEDBACK_HEADING } from "./prompt_builder.ts";
import { initialState, newStepState } from "./run_evolve.ts";

const loaded = loadPipeline(
  `
metadata:
  name: Prompts
defaults:
  model: "offline:a"
  voice: warm
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  plan:
    name: Plan
    system_prompt: "You plan {{ defaults.voice }} articles."
    prompt_template: "Plan {{ inputs.topic }}"
  draft:
    name: Draft
    prompt_template: "Draft from {{ steps.plan }}. Notes: {{ steps.plan.user_feedback }}"
`,
  { id: "prompts" },
);
if (!loaded.value) throw new Error(loaded.issues.map((issue) => issue.message).join("\n"));
const pipeline = loaded.value;

function state() {
  const run = initialState("r");
  run.pipelineId = "prompts";
  run.stepOrder = ["plan", "draft"];
  run.userInputs = { topic: "{{ inputs.topic }} literally" };
  run.steps = { plan: newStepState("plan"), draft: newStepState("draft") };
  return run;
}

Deno.test("buildStepPrompt() renders inputs, defaults and selections literally", () => {
  const run = state();
  run.steps.plan.status = "completed";
  run.steps.plan.selectedText = "An outline with {{ braces }}";
  const plan = buildStepPrompt(pipeline, run, { stepId: "plan" });
  assert.equal(plan.prompt, "Plan {{ inputs.topic }} literally");
  assert.equal(plan.systemPrompt, "You plan warm articles.");
  assert.deepEqual(plan.messages.map((m) => m.role), ["system", "user"]);
  const draft = buildStepPrompt(pipeline, run, { stepId: "draft" });
  assert.equal(draft.prompt, "Draft from An outline with {{ braces }}. Notes: ");
  assert.equal(draft.systemPrompt, undefined);
});

Deno.test("buildStepPrompt() adds a feedback section only when the template does not read it", () => {
  const run = state();
  run.steps.plan.feedback = [{ text: "Shorter title", at: "", generation: 0 }, {
    text: "Add numbers",
    at: "",
    generation: 0,
  }];
  const plan = buildStepPrompt(pipeline, run, { stepId: "plan" });
  assert.ok(plan.prompt.includes(FEEDBACK_HEADING));
  assert.ok(plan.prompt.indexOf("Shorter title") < plan.prompt.indexOf("Add numbers"));
  const draft = buildStepPrompt(pipeline, run, { stepId: "draft" });
  assert.ok(draft.prompt.endsWith("Notes: Shorter title\n\nAdd numbers"));
  assert.ok(!draft.prompt.includes(FEEDBACK_HEADING));
  // A template that reads its own step's feedback gets no extra section.
  const own = structuredClone(pipeline);
  own.steps[1].promptTemplate = "Draft. Notes: {{ steps.draft.user_feedback }}";
  run.steps.draft.feedback = [{ text: "More examples", at: "", generation: 0 }];
  const reading = buildStepPrompt(own, run, { stepId: "draft" });
  assert.equal(reading.prompt, "Draft. Notes: More examples");
});
