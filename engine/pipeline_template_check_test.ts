import assert from "node:assert/strict";
import { loadPipeline } from "./pipeline_loader.ts";
import { styleReferenceIssues, variableProblem } from "./pipeline_template_check.ts";
import { templateVariables } from "./template.ts";

const scope = {
  inputNames: ["topic"],
  defaults: { models: { primary: "gpt-4.1" }, list: ["a"], word_count: "600" },
  stepIds: ["plan", "write"],
  currentStep: "write",
  readableSteps: new Set(["plan"]),
};

function problem(template: string): string | undefined {
  return variableProblem(templateVariables(template)[0], scope)?.message;
}

Deno.test("variableProblem() accepts what a template may read", () => {
  for (
    const template of [
      "{{ inputs.topic }}",
      "{{ inputs.topic.size }}",
      "{{ defaults.models.primary }}",
      "{{ defaults.list[0] }}",
      "{{ defaults.word_count.size }}",
      "{{ steps.plan }}",
      "{{ steps.plan.responses[0] }}",
      "{{ steps.plan.responses.size }}",
      "{{ steps.plan.user_input }}",
      "{{ style.anything.at.all }}",
      "{{ run.date }}",
    ]
  ) assert.equal(problem(template), undefined, template);
});

Deno.test("variableProblem() explains what does not resolve", () => {
  assert.equal(
    problem("{{ run.user }}"),
    'Cannot resolve "run.user": run has id, pipeline, workspace and date',
  );
  assert.equal(
    problem("{{ defaults.models.primary.name }}"),
    'Cannot resolve "defaults.models.primary.name": "defaults.models.primary" is a single value and has no field "name"',
  );
  assert.equal(
    problem("{{ inputs }}"),
    'Cannot resolve "inputs": name what to read, as in "inputs.topic"',
  );
  assert.equal(
    problem("{{ steps.write }}"),
    'Cannot resolve "steps.write": "write" is not an earlier step of "write": a prompt cannot read its own step\'s result (only its user_feedback)',
  );
  assert.equal(problem("{{ steps.write.user_feedback }}"), undefined);
  assert.equal(problem("{{ steps.write.user_input }}"), undefined);
  assert.equal(
    problem("{{ steps.plan.responses.text }}"),
    'Cannot resolve "steps.plan.responses.text": "steps.plan.responses" is a list: use an index, first, last or size',
  );
  assert.equal(
    problem("{{ inputs.topic.words }}"),
    'Cannot resolve "inputs.topic.words": input "topic" is text and has no field "words"',
  );
});

const text = `defaults:
  style: plain
inputs:
  topic: { type: text, required: true }
steps:
  plan:
    prompt_template: "Tone {{ style.voice.tone }}, mood {{ style.voice.mood | default: 'calm' }}"
  write:
    style: loud
    prompt_template: "{{ steps.plan }}"
`;

Deno.test("styleReferenceIssues() warns about missing primer fields and fails on missing primers", () => {
  const { value } = loadPipeline(text, { file: "p.yaml" });
  assert.ok(value);
  const primers = new Map([["plain", { voice: { tone: "Calm" } }], ["loud", undefined]]);
  assert.deepEqual(styleReferenceIssues(value, primers, { text }), [
    {
      severity: "warning",
      message:
        '"style.voice.mood" is not in style primer "plain": it renders as empty text (add a default filter or the field)',
      path: "steps.plan.prompt_template",
      file: "p.yaml",
      line: 7,
      column: 60,
      code: "unknown_variable",
    },
    {
      severity: "error",
      message: 'Style primer "loud" was not found',
      path: "steps.write.style",
      file: "p.yaml",
      line: 9,
      column: 12,
      code: "unknown_style",
    },
  ]);
});

Deno.test("loadPipeline() refuses a template whose literal loops render past the prompt limit, at its place", () => {
  const text = [
    "metadata: { name: Loops }",
    "inputs:",
    "  topic: { type: text, required: true }",
    "steps:",
    "  plan:",
    "    prompt_template: |",
    "      About {{ inputs.topic }}",
    "      {% for i in (1..3000) %}{% for j in (1..3000) %}x{% endfor %}{% endfor %}",
    "  write:",
    '    prompt_template: "{% for i in (1..100) %}{{ steps.plan }}{% endfor %}"',
  ].join("\n");
  const { value, issues } = loadPipeline(text, { file: "loops.yaml" });
  assert.equal(value, undefined);
  const errors = issues.filter((issue) => issue.severity === "error");
  assert.equal(errors.length, 1, JSON.stringify(issues, null, 2));
  assert.equal(errors[0].path, "steps.plan.prompt_template");
  assert.equal(errors[0].line, 7);
  assert.match(
    errors[0].message,
    /renders at least 9,000,00\d characters, past the limit of 1,000,000/,
  );
});
