import assert from "node:assert/strict";
import type { PipelineRun } from "../../engine/run_model.ts";
import { progressLine } from "./live_display.ts";

// Only the fields the progress line reads.
const run = {
  stepOrder: ["brief", "research", "audience_map", "outline"],
  currentStep: "research",
  usage: { totalTokens: 1200, costUsd: 0.0123 },
} as unknown as PipelineRun;

Deno.test("progressLine() names the step, or every step generating side by side", () => {
  assert.equal(
    progressLine(run, { stepId: "research", extraTokens: 34, elapsedMs: 12_000 }),
    "step 2/4 research · 1,234 tokens · $0.0123 · 00:12",
  );
  assert.equal(
    progressLine(run, { stepIds: ["research", "audience_map"], elapsedMs: 0 }),
    "steps 2+3/4 research, audience_map · 1,200 tokens · $0.0123 · 00:00",
  );
});
