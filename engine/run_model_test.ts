import assert from "node:assert/strict";
import { addUsage, emptyUsage, StepStateSchema, TokenUsageSchema } from "./run_model.ts";

const response = {
  responseId: "r1",
  stepId: "angles",
  generation: 0,
  candidateIndex: 0,
  modelName: "offline",
  provider: "offline",
  promptUsed: "Write angles",
  rawOutput: "text",
  processedContent: "text",
  createdAt: "2026-01-01T00:00:00.000Z",
  usage: emptyUsage(),
  processingTime: 0.1,
};

Deno.test("StepStateSchema rejects a selection out of range", () => {
  const result = StepStateSchema.safeParse({
    stepId: "angles",
    status: "completed",
    responses: [response],
    userSelection: 1,
  });
  assert.equal(result.success, false);
  assert.match(result.error!.issues[0].message, /Selection 1 is out of range: step "angles" has 1/);
});

Deno.test("StepStateSchema rejects a retry count above 3", () => {
  const result = StepStateSchema.safeParse({ stepId: "a", status: "running", retryCount: 4 });
  assert.equal(result.success, false);
});

Deno.test("StepStateSchema rejects a completed step without responses", () => {
  const result = StepStateSchema.safeParse({ stepId: "a", status: "completed" });
  assert.equal(result.success, false);
  assert.match(result.error!.issues[0].message, /completed but has no responses/);
});

Deno.test("StepStateSchema accepts a selected candidate", () => {
  const step = StepStateSchema.parse({
    stepId: "angles",
    status: "completed",
    responses: [response],
    userSelection: 0,
  });
  assert.equal(step.retryCount, 0);
  assert.deepEqual(step.feedback, []);
});

Deno.test("addUsage() sums counts and keeps the estimated flag", () => {
  const a = TokenUsageSchema.parse({
    inputTokens: 1,
    outputTokens: 2,
    totalTokens: 3,
    costUsd: 0.5,
  });
  const b = { ...emptyUsage(), inputTokens: 10, totalTokens: 10, estimated: true };
  assert.deepEqual(addUsage(a, b), {
    inputTokens: 11,
    outputTokens: 2,
    totalTokens: 13,
    costUsd: 0.5,
    estimated: true,
  });
});
