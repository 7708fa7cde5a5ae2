import assert from "node:assert/strict";
import { candidateSets } from "./candidate_sets.ts";
import { ConfigurationError } from "./errors.ts";
import type { StepSpec } from "./pipeline_schema.ts";

function step(partial: Partial<StepSpec>): StepSpec {
  return {
    id: "draft",
    name: "Draft",
    description: "",
    type: "llm_generation",
    promptTemplate: "x",
    modelPreference: [],
    models: [],
    responseCount: 1,
    dependsOn: [],
    ui: {},
    allowFeedback: true,
    autoApprove: false,
    ...partial,
  };
}

Deno.test("candidateSets() gives one set per listed model, else one fallback chain", () => {
  assert.deepEqual(candidateSets(step({ models: ["gpt-4.1", "claude-sonnet-4"] })), [
    { label: "gpt-4.1", chain: ["gpt-4.1"] },
    { label: "claude-sonnet-4", chain: ["claude-sonnet-4"] },
  ]);
  assert.deepEqual(candidateSets(step({ modelPreference: ["gpt-4.1", "claude-sonnet-4"] })), [
    { label: "gpt-4.1", chain: ["gpt-4.1", "claude-sonnet-4"] },
  ]);
  assert.deepEqual(
    candidateSets(step({}), { defaultModels: { draft: "offline:a" }, defaultModel: "b" }),
    [
      { label: "offline:a", chain: ["offline:a"] },
    ],
  );
  assert.throws(() => candidateSets(step({})), ConfigurationError);
});

Deno.test("candidateSets() applies an override, keeping labelled offline stand-ins side by side", () => {
  const sideBySide = step({ models: ["gpt-4.1", "offline:careful"] });
  assert.deepEqual(candidateSets(sideBySide, { modelOverride: "offline" }), [
    { label: "offline:gpt-4.1", chain: ["offline:gpt-4.1"] },
    { label: "offline:careful", chain: ["offline:careful"] },
  ]);
  assert.deepEqual(candidateSets(sideBySide, { modelOverride: "gpt-4.1-mini" }), [
    { label: "gpt-4.1-mini", chain: ["gpt-4.1-mini"] },
  ]);
  assert.deepEqual(
    candidateSets(step({ modelPreference: ["a", "b"] }), { modelOverride: "offline" }),
    [
      { label: "offline", chain: ["offline"] },
    ],
  );
});
