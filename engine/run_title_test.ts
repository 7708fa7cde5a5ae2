import assert from "node:assert/strict";
import type { PipelineRun, StepState } from "./run_model.ts";
import { runTitle } from "./run_title.ts";

function step(status: StepState["status"], selectedText?: string): StepState {
  return { status, selectedText } as StepState;
}

type Titled = Pick<PipelineRun, "stepOrder" | "steps" | "userInputs">;

Deno.test("runTitle() names a run by its latest result's heading, else by the subject it was started on", () => {
  const base: Titled = {
    stepOrder: ["plan", "write"],
    steps: { plan: step("pending"), write: step("pending") },
    userInputs: { audience: "general", topic: "Tide pools" },
  };
  assert.equal(runTitle(base), "Tide pools");
  assert.equal(
    runTitle({ ...base, userInputs: { notes: "  Raw notes\non two lines " } }),
    "Raw notes on two lines",
  );
  assert.equal(runTitle({ ...base, userInputs: { count: 3 } }), undefined);
  const planned = {
    ...base,
    steps: {
      plan: step("completed", "Intro\n## Tide Pools, Up Close\nText"),
      write: step("running"),
    },
  };
  assert.equal(runTitle(planned), "Tide Pools, Up Close");
  const written = {
    ...planned,
    steps: { ...planned.steps, write: step("completed", "# Life Between Tides #\n\nBody") },
  };
  assert.equal(runTitle(written), "Life Between Tides");
  const long = { ...base, userInputs: { topic: "x".repeat(200) } };
  assert.equal(runTitle(long)!.length, 80);
});
