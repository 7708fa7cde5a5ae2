import assert from "node:assert/strict";
import type { PipelineRun } from "./run_model.ts";
import { queryWords, runMatch } from "./run_search.ts";

const run = {
  runId: "run-42",
  pipelineId: "quick-article",
  userInputs: { topic: "Tide pools", audience: "general" },
  stepOrder: ["plan"],
  steps: {
    plan: {
      status: "awaiting_selection",
      feedback: [{ text: "More on anemones", at: "", generation: 0 }],
      responses: [
        { processedContent: "Intro text." },
        { processedContent: "A long passage where the crabs of the Café hide at low tide." },
      ],
    },
  },
} as unknown as PipelineRun;

Deno.test("runMatch() finds every word anywhere in a run, ignoring case and accents, and says where", () => {
  assert.deepEqual(runMatch(run, "CAFE crabs"), {
    where: "plan, candidate 2",
    snippet: "A long passage where the crabs of the Café hide at low tide.",
  });
  assert.equal(runMatch(run, "tide")!.where, "title");
  assert.equal(runMatch(run, "anemones")!.where, "plan, feedback");
  assert.equal(runMatch(run, "crabs walruses"), undefined, "every word must match");
  assert.equal(runMatch(run, "   "), undefined);
  assert.deepEqual(queryWords("  Él  dijo "), ["el", "dijo"]);
});
