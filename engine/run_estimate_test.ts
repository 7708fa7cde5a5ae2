import assert from "node:assert/strict";
import { createPriceTable } from "./llm/price_table.ts";
import { createOfflineModel } from "./llm/offline_model.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import { MemoryEventStore } from "./events/memory_event_store.ts";
import { systemContext } from "./context.ts";
import { RunService } from "./run_service.ts";
import { loadPipeline } from "./pipeline_loader.ts";

function pipelineOf(text: string) {
  const { value, issues } = loadPipeline(text, { id: "estimate" });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

const PIPELINE = `
metadata: { name: "Estimate" }
inputs:
  topic: { type: text, required: true }
steps:
  plan:
    prompt_template: "Plan {{ inputs.topic }}"
    model_preference: "gpt-4.1"
    response_count: 2
    validation: { max_response_length: 800 }
  draft:
    prompt_template: "Draft from {{ steps.plan }}"
    models: ["gpt-4.1", "acme:mystery"]
    max_tokens: 1000
`;

Deno.test("RunService.estimateRun() prices each step and model from prompt sizes, without creating a run", async () => {
  const store = new MemoryEventStore({ context: systemContext() });
  const made = (provider: string, modelId: string): LanguageModel => ({
    ...createOfflineModel({ modelId }),
    provider,
    modelId,
  });
  const service = new RunService({
    store,
    context: systemContext(),
    workspace: "w",
    models: {
      resolve: (name) =>
        name.startsWith("acme:") ? made("acme", name.slice(5)) : made("openai", name),
      prices: createPriceTable({ "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 } }),
    },
  });
  try {
    const estimate = service.estimateRun(pipelineOf(PIPELINE), { inputs: { topic: "Tea" } });
    const [plan, draft] = estimate.steps;
    // plan: "Plan {{ inputs.topic }}" (+ "Tea"), 2 candidates of at most 800 characters
    const planPrompt = Math.ceil(("\nPlan {{ inputs.topic }}".length + 3) / 4);
    assert.deepEqual(plan.models, [{
      model: "gpt-4.1",
      candidates: 2,
      inputTokens: planPrompt * 2,
      outputTokens: 200 * 2,
      costUsd: (planPrompt * 2 * 2 + 400 * 8) / 1e6,
      priced: true,
    }]);
    // draft reads plan (800 characters) and answers up to max_tokens (1000 tokens = 4000 characters)
    const draftPrompt = Math.ceil(("\nDraft from {{ steps.plan }}".length + 800) / 4);
    assert.equal(draft.models[0].inputTokens, draftPrompt);
    assert.equal(draft.models[0].outputTokens, 1000);
    assert.equal(draft.models[1].priced, false);
    assert.deepEqual(estimate.unpriced, ["acme:mystery"]);
    assert.ok(
      Math.abs(estimate.costUsd - (plan.models[0].costUsd + draft.models[0].costUsd)) < 1e-12,
    );
    assert.deepEqual(await store.listRuns(), [], "nothing was created");
    // --responses and --model change the figures as they would change the run
    const override = service.estimateRun(pipelineOf(PIPELINE), {
      inputs: { topic: "Tea" },
      modelOverride: "gpt-4.1",
      responses: 3,
    });
    assert.deepEqual(override.steps.map((step) => step.models.map((model) => model.candidates)), [[
      3,
    ], [3]]);
    assert.deepEqual(override.unpriced, []);
  } finally {
    await service.close();
    await store.close();
  }
});
