import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "./errors.ts";
import { initialState, newStepState } from "./run_evolve.ts";
import type { AIResponse, PipelineRun } from "./run_model.ts";
import { parseTextReference, referencedText, textDiff } from "./text_reference.ts";

const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: 0, estimated: true };

function candidate(stepId: string, index: number, text: string): AIResponse {
  return {
    responseId: `${stepId}-${index}`,
    stepId,
    generation: 0,
    candidateIndex: index,
    modelName: "offline",
    provider: "offline",
    promptUsed: "prompt",
    rawOutput: text,
    processedContent: text,
    createdAt: "2026-01-01T00:00:00Z",
    usage,
    processingTime: 1,
    origin: "model",
    cached: false,
    validation: { passed: true, reasons: [] },
  };
}

function run(): PipelineRun {
  const state = initialState("run-0001");
  state.stepOrder = ["outline", "draft"];
  const outline = newStepState("outline");
  outline.responses.push(candidate("outline", 0, "One two three"));
  outline.responses.push(candidate("outline", 1, "One two four five"));
  outline.userSelection = 1;
  outline.selectedText = "One two four five";
  outline.status = "completed";
  const draft = newStepState("draft");
  draft.responses.push(candidate("draft", 0, "A draft"));
  draft.status = "awaiting_selection";
  state.steps = { outline, draft };
  return state;
}

Deno.test("parseTextReference() reads RUN, RUN:step and RUN:step:N and refuses the rest", () => {
  assert.deepEqual(parseTextReference("3f2a"), {
    run: "3f2a",
    stepId: undefined,
    candidate: undefined,
  });
  assert.deepEqual(parseTextReference("3f2a:draft"), {
    run: "3f2a",
    stepId: "draft",
    candidate: undefined,
  });
  assert.deepEqual(parseTextReference(" 3f2a:draft:2 "), {
    run: "3f2a",
    stepId: "draft",
    candidate: 2,
  });
  for (const bad of ["", "a:b:c:d", "run:step:x", "ru n", "a::1"]) {
    assert.throws(() => parseTextReference(bad), ValidationError, bad);
  }
  assert.throws(() => parseTextReference("a:b:0"), /count from 1/);
});

Deno.test("referencedText() finds the article, a step's chosen text and a candidate", () => {
  const state = run();
  const article = referencedText(state, { run: "run" });
  assert.equal(article.text, "One two four five", "the last chosen text is the article so far");
  assert.equal(article.reference, "run-0001");
  assert.equal(article.label, 'the article (from step "outline")');
  assert.equal(referencedText(state, { run: "r", stepId: "outline" }).text, "One two four five");
  const first = referencedText(state, { run: "r", stepId: "outline", candidate: 1 });
  assert.equal(first.text, "One two three");
  assert.equal(first.reference, "run-0001:outline:1");
  assert.equal(first.label, 'step "outline", candidate 1 (offline)');
});

Deno.test("referencedText() says what is missing and how to name it instead", () => {
  const state = run();
  assert.throws(
    () => referencedText(state, { run: "r", stepId: "outlin" }),
    (error: Error) =>
      error instanceof NotFoundError && /did you mean "outline"\?/.test(error.message) &&
      /its steps: outline, draft/.test(error.message),
  );
  assert.throws(
    () => referencedText(state, { run: "r", stepId: "draft" }),
    /Step "draft" of run "run-0001" has no chosen text yet: name a candidate instead, run-0001:draft:1…1/,
  );
  assert.throws(
    () => referencedText(state, { run: "r", stepId: "outline", candidate: 3 }),
    /has 2 candidates, not 3: pick 1…2/,
  );
  const empty = initialState("run-0002");
  empty.stepOrder = ["outline"];
  assert.throws(
    () => referencedText(empty, { run: "r" }),
    /no chosen text yet: name a candidate instead, such as "run-0002:outline:1"/,
  );
});

Deno.test("textDiff() counts words added, removed and unchanged", () => {
  const state = run();
  const diff = textDiff(
    referencedText(state, { run: "r", stepId: "outline", candidate: 1 }),
    referencedText(state, { run: "r", stepId: "outline", candidate: 2 }),
  );
  assert.deepEqual(diff.stats, { added: 2, removed: 1, unchanged: 2 });
  assert.deepEqual(
    diff.parts.filter((part) => part.kind !== "equal").map((part) => [part.kind, part.text.trim()]),
    [["removed", "three"], ["added", "four five"]],
  );
});
