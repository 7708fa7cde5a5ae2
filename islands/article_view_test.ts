import assert from "node:assert/strict";
import type { PipelineRun } from "../engine/run_model.ts";
import { articleSections, articleStep } from "./article_view.tsx";

Deno.test("articleSections() counts each section's words under its heading", () => {
  const text = "# Title\n\nTwo words.\n\n## Hook\n\nThree words here.\n\n## List\n\n- one\n- two";
  assert.deepEqual(articleSections(text), [
    { heading: "Opening", words: 2 },
    { heading: "Hook", words: 3 },
    { heading: "List", words: 2 },
  ]);
  assert.deepEqual(articleSections("## Only\n\nText"), [{ heading: "Only", words: 1 }]);
});

Deno.test("articleStep() is the furthest step with a result", () => {
  const run = {
    stepOrder: ["plan", "write", "polish"],
    steps: {
      plan: { status: "completed", selectedText: "Plan" },
      write: { status: "completed", selectedText: "Draft" },
      polish: { status: "awaiting_selection" },
    },
  } as unknown as PipelineRun;
  assert.equal(articleStep(run), "write");
  assert.equal(
    articleStep({ ...run, stepOrder: [], steps: {} } as unknown as PipelineRun),
    undefined,
  );
});
