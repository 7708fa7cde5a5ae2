import assert from "node:assert/strict";
import type { AIResponse, StepState } from "../engine/run_model.ts";
import { candidateColumns, pickableCards, streamKey } from "./candidate_columns.ts";

function response(
  fields: Partial<AIResponse> & Pick<AIResponse, "responseId" | "modelName" | "candidateIndex">,
): AIResponse {
  return {
    stepId: "draft",
    generation: 0,
    provider: "offline",
    promptUsed: "p",
    rawOutput: "text",
    processedContent: "text",
    createdAt: "2026-01-01T00:00:00Z",
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: 0, estimated: false },
    processingTime: 1,
    origin: "model",
    cached: false,
    validation: { passed: true, reasons: [] },
    ...fields,
  };
}

function step(fields: Partial<StepState>): StepState {
  return {
    stepId: "draft",
    status: "running",
    generation: 0,
    responses: [],
    feedback: [],
    retryCount: 0,
    models: ["offline:a", "offline:b"],
    responseCount: 1,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
    ...fields,
  };
}

Deno.test("candidateColumns() puts finished and streaming candidates in their model's column", () => {
  const streamA = {
    stepId: "draft",
    generation: 0,
    model: "offline:a",
    candidateIndex: 0,
    text: "Hel",
  };
  const streamB = {
    stepId: "draft",
    generation: 0,
    model: "offline:b",
    candidateIndex: 0,
    text: "Wor",
  };
  const streams = new Map([[streamKey(streamA), streamA], [streamKey(streamB), streamB]]);
  const state = step({
    responses: [response({ responseId: "r1", modelName: "offline:b", candidateIndex: 0 })],
  });
  const { columns, earlier } = candidateColumns(state, streams);
  assert.deepEqual(columns.map((column) => column.label), ["offline:a", "offline:b"]);
  assert.equal(columns[0].cards[0].streamingText, "Hel");
  assert.equal(columns[1].cards.length, 1, "a finished candidate hides its stream");
  assert.equal(columns[1].cards[0].responseIndex, 0);
  assert.deepEqual(earlier, []);
  assert.deepEqual(pickableCards(columns).map((card) => card.key), ["r1"]);
});

Deno.test("candidateColumns() separates earlier generations, merges and unknown fallbacks", () => {
  const state = step({
    generation: 1,
    responses: [
      response({ responseId: "old", modelName: "offline:a", candidateIndex: 0 }),
      response({ responseId: "a1", modelName: "offline:a", candidateIndex: 0, generation: 1 }),
      response({ responseId: "fb", modelName: "openai:gpt-x", candidateIndex: 0, generation: 1 }),
      response({
        responseId: "m",
        modelName: "offline:a",
        candidateIndex: 1,
        generation: 1,
        origin: "merge",
      }),
    ],
  });
  const { columns, earlier } = candidateColumns(state, new Map());
  assert.deepEqual(earlier.map((card) => card.key), ["old"]);
  assert.deepEqual(columns.map((column) => column.label), [
    "offline:a",
    "offline:b",
    "openai:gpt-x",
    "merged",
  ]);
  assert.deepEqual(pickableCards(columns).map((card) => card.responseIndex), [1, 2, 3]);
});

Deno.test("candidateColumns() with one model numbers every candidate of it", () => {
  const state = step({
    models: ["offline"],
    responseCount: 2,
    responses: [
      response({ responseId: "b", modelName: "offline", candidateIndex: 1 }),
      response({ responseId: "a", modelName: "offline", candidateIndex: 0 }),
    ],
  });
  const { columns } = candidateColumns(state, new Map());
  assert.equal(columns.length, 1);
  assert.deepEqual(pickableCards(columns).map((card) => card.responseIndex), [1, 0]);
});
