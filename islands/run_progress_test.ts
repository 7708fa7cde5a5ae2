import assert from "node:assert/strict";
import type { StepState } from "../engine/run_model.ts";
import { formatSeconds, generationSeconds } from "./run_progress.tsx";

Deno.test("generationSeconds() is the slowest candidate of the latest generation, edits aside", () => {
  const step = {
    generation: 1,
    responses: [
      { generation: 0, processingTime: 9, origin: "model" },
      { generation: 1, processingTime: 1.5, origin: "model" },
      { generation: 1, processingTime: 2.25, origin: "model" },
      { generation: 1, processingTime: 0, origin: "edit" },
    ],
  } as unknown as StepState;
  assert.equal(generationSeconds(step), 2.25);
  assert.equal(
    generationSeconds({ generation: 0, responses: [] } as unknown as StepState),
    undefined,
  );
  assert.deepEqual([0.42, 12.4, 125].map(formatSeconds), ["0.4 s", "12 s", "2 min 5 s"]);
});
