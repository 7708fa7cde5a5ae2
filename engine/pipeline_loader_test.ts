import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadPipeline, validateInputs } from "./pipeline_loader.ts";
import type { Pipeline } from "./pipeline_schema.ts";

const minimal = `metadata:
  name: "Mini"
defaults:
  models: { primary: "gpt-4.1", secondary: "claude-sonnet-4" }
  responses_per_step: 2
  temperature: 0.5
  style: technical-expert
inputs:
  topic: { type: text, required: true, max_length: 20 }
  tone:
    type: choice
    default: calm
    options: [{ value: calm, label: Calm }, { value: loud, label: Loud }]
  words: { type: number, min: 100, max: 900, default: 300 }
  draft_only: { type: boolean }
steps:
  plan:
    model_preference: "{{ defaults.models.primary }}"
    prompt_template: "Plan {{ inputs.topic }} in a {{ inputs.tone }} tone"
  write:
    type: user_input
    response_count: 1
    temperature: 1.2
    model_preference: ["{{ defaults.models.primary }}", "local:llama3"]
    models: ["gpt-4.1", "{{ defaults.models.secondary }}"]
    validation: { min_response_length: 10, required_elements: [intro], check_spelling: true }
`;

function load(text = minimal): Pipeline {
  const { value, issues } = loadPipeline(text, { file: "/tmp/pipes/mini.yaml" });
  assert.ok(value, JSON.stringify(issues, null, 2));
  return value;
}

Deno.test("loadPipeline() normalizes inputs and steps in file order with defaults applied", () => {
  const pipeline = load();
  assert.equal(pipeline.id, "mini");
  assert.equal(pipeline.metadata.name, "Mini");
  assert.equal(pipeline.style, "technical-expert");
  assert.deepEqual(pipeline.source, { file: "/tmp/pipes/mini.yaml" });
  assert.equal(pipeline.hash, createHash("sha256").update(minimal).digest("hex"));
  assert.deepEqual(pipeline.inputs.map((input) => [input.name, input.type, input.required]), [
    ["topic", "text", true],
    ["tone", "choice", false],
    ["words", "number", false],
    ["draft_only", "boolean", false],
  ]);
  assert.equal(pipeline.inputs[0].maxLength, 20);
  assert.deepEqual(pipeline.inputs[1].options.map((option) => option.value), ["calm", "loud"]);
  const [plan, write] = pipeline.steps;
  assert.deepEqual(plan.modelPreference, ["gpt-4.1"]);
  assert.deepEqual(plan.dependsOn, []);
  assert.equal(plan.responseCount, 2);
  assert.equal(plan.temperature, 0.5);
  assert.equal(plan.style, "technical-expert");
  assert.equal(plan.allowFeedback, true);
  assert.equal(plan.autoApprove, false);
  assert.equal(write.type, "user_input");
  assert.equal(write.promptTemplate, "");
  assert.deepEqual(write.dependsOn, ["plan"]);
  assert.deepEqual(write.modelPreference, ["gpt-4.1", "local:llama3"]);
  assert.deepEqual(write.models, ["gpt-4.1", "claude-sonnet-4"]);
  assert.equal(write.responseCount, 1);
  assert.equal(write.temperature, 1.2);
  assert.deepEqual(write.validation, {
    minResponseLength: 10,
    maxResponseLength: undefined,
    requiredElements: ["intro"],
    checks: { check_spelling: true },
  });
});

Deno.test("loadPipeline() takes the id from options first", () => {
  assert.equal(loadPipeline(minimal, { id: "custom", file: "x.yaml" }).value?.id, "custom");
  assert.equal(loadPipeline(minimal).value?.id, "mini");
});

Deno.test("loadPipeline() reports unknown keys as warnings and still loads", () => {
  const { value, issues } = loadPipeline(
    minimal.replace("  plan:\n", "  plan:\n    temprature: 1\n"),
    {
      file: "mini.yaml",
    },
  );
  assert.ok(value);
  assert.deepEqual(issues, [{
    severity: "warning",
    message: 'Unknown key "temprature" in step "plan": did you mean "temperature"?',
    path: "steps.plan.temprature",
    file: "mini.yaml",
    line: 18,
    column: 5,
    suggestion: "temperature",
    code: "unknown_key",
  }]);
});

Deno.test("loadPipeline() lets selection_prompt read its own step and prompts read ancestors only", () => {
  const text = minimal.replace(
    '    prompt_template: "Plan {{ inputs.topic }} in a {{ inputs.tone }} tone"\n',
    '    prompt_template: "Plan {{ inputs.topic }} in a {{ inputs.tone }} tone"\n    selection_prompt: "Pick among {{ steps.plan.responses.size }}"\n',
  );
  assert.ok(loadPipeline(text).value);
  const bad = text.replace("Pick among", "{{ steps.write }}");
  const { issues } = loadPipeline(bad);
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /"write" is not an earlier step of "plan"/);
});

Deno.test("validateInputs() coerces text, applies defaults and fills optional inputs", () => {
  const pipeline = load();
  const result = validateInputs(pipeline, { topic: "CRDTs", words: "450", draft_only: "yes" });
  assert.deepEqual(result, {
    value: { topic: "CRDTs", tone: "calm", words: 450, draft_only: true },
    issues: [],
  });
  assert.deepEqual(validateInputs(pipeline, { topic: "x", tone: "Loud" }).value?.tone, "loud");
  assert.deepEqual(validateInputs(pipeline, { topic: "x" }).value?.draft_only, false);
});

Deno.test("validateInputs() reports every problem with did-you-mean", () => {
  const pipeline = load();
  const result = validateInputs(pipeline, {
    topc: "x",
    tone: "clam",
    words: "99",
    draft_only: "perhaps",
  });
  assert.equal(result.value, undefined);
  assert.deepEqual(result.issues.map((issue) => [issue.path, issue.message]), [
    ["inputs.topc", 'Unknown input "topc" for pipeline "mini": did you mean "topic"?'],
    ["inputs.topic", 'Missing required input "topic" (topic): give it a value'],
    ["inputs.tone", 'Input "tone" cannot be "clam": did you mean "calm"?'],
    ["inputs.words", 'Input "words" is 99, below its minimum of 100'],
    ["inputs.draft_only", 'Input "draft_only" must be true or false, not "perhaps"'],
  ]);
  assert.deepEqual(result.issues.map((issue) => issue.code), [
    "unknown_input",
    "missing_input",
    "invalid_input",
    "invalid_input",
    "invalid_input",
  ]);
  assert.match(
    validateInputs(pipeline, { topic: "x".repeat(21) }).issues[0].message,
    /21 characters long, over its max_length of 20/,
  );
  assert.match(
    validateInputs(pipeline, { topic: "x", words: "lots" }).issues[0].message,
    /must be a number/,
  );
});

Deno.test("loadPipeline() refuses aliases that would expand without bound", () => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  for (let level = 1; level < 8; level++) {
    const previous = String.fromCharCode(96 + level);
    const name = String.fromCharCode(97 + level);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
  }
  const { value, issues } = loadPipeline(levels.join("\n") + "\n", { file: "bomb.yaml" });
  assert.equal(value, undefined);
  assert.match(issues[0].message, /cannot be read: .*alias.*: use fewer YAML aliases/i);
});

Deno.test("loadPipeline() places an empty or blank file at line 1, column 1", () => {
  for (const text of ["", "\r\r\r", "  \n\t\n"]) {
    const { value, issues } = loadPipeline(text, { file: "empty.yaml" });
    assert.equal(value, undefined);
    assert.deepEqual(
      issues.map(({ file, line, column }) => ({ file, line, column })),
      [{ file: "empty.yaml", line: 1, column: 1 }],
      JSON.stringify(text),
    );
  }
});

Deno.test("loadPipeline() reads CR-only and CRLF line endings as line breaks, with places on the right lines", () => {
  const { hash: _, ...expected } = load();
  for (const ending of ["\r", "\r\n"]) {
    const { hash: _, ...loaded } = load(minimal.replaceAll("\n", ending));
    assert.deepEqual(loaded, expected, JSON.stringify(ending));
  }
  const broken = minimal.replace("Plan {{ inputs.topic }}", "Plan {{ inputs.topc }}");
  const lines = broken.split("\n");
  const line = lines.findIndex((text) => text.includes("inputs.topc")) + 1;
  const { issues } = loadPipeline(broken.replaceAll("\n", "\r"), { file: "old-mac.yaml" });
  const unknown = issues.find((issue) => issue.message.includes("topc"));
  assert.equal(unknown?.line, line, JSON.stringify(issues, null, 2));
  assert.ok(!unknown?.message.includes("\r"), unknown?.message);
});
