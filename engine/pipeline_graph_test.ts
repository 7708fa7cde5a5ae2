import assert from "node:assert/strict";
import { ValidationError } from "./errors.ts";
import { ancestorsIn, executionLayers, findCycles, stepAncestors } from "./pipeline_graph.ts";
import { loadPipeline } from "./pipeline_loader.ts";
import type { Pipeline } from "./pipeline_schema.ts";

function pipeline(steps: string): Pipeline {
  const { value, issues } = loadPipeline(
    `inputs:\n  topic: { type: text, required: true }\nsteps:\n${steps}`,
    { id: "graph" },
  );
  assert.ok(value, JSON.stringify(issues));
  return value;
}

const diamond = pipeline(`  brief: { prompt_template: "b" }
  research: { prompt_template: "r", depends_on: brief }
  audience: { prompt_template: "a", depends_on: [brief] }
  outline: { prompt_template: "o", depends_on: [research, audience] }
  draft: { prompt_template: "d" }
`);

Deno.test("executionLayers() puts independent steps in one layer, in file order", () => {
  assert.deepEqual(executionLayers(diamond), [["brief"], ["research", "audience"], ["outline"], [
    "draft",
  ]]);
});

Deno.test("executionLayers() of a chain is one step per layer; depends_on: [] starts a new root", () => {
  const chain = pipeline(
    `  a: { prompt_template: "a" }\n  b: { prompt_template: "b" }\n  c: { prompt_template: "c", depends_on: [] }\n`,
  );
  assert.deepEqual(executionLayers(chain), [["a", "c"], ["b"]]);
});

Deno.test("executionLayers() rejects a cyclic pipeline built by hand", () => {
  const cyclic = structuredClone(diamond);
  cyclic.steps[0].dependsOn = ["outline"];
  assert.throws(
    () => executionLayers(cyclic),
    (error: unknown) =>
      error instanceof ValidationError &&
      error.message.includes("brief → research → outline → brief"),
  );
});

Deno.test("stepAncestors() follows depends_on transitively", () => {
  assert.deepEqual([...stepAncestors(diamond, "draft")].sort(), [
    "audience",
    "brief",
    "outline",
    "research",
  ]);
  assert.deepEqual([...stepAncestors(diamond, "research")], ["brief"]);
  assert.deepEqual([...stepAncestors(diamond, "brief")], []);
});

Deno.test("findCycles() reports each cycle once, in run order, from the first step in the file", () => {
  const dependencies = new Map([
    ["angles", ["outline"]],
    ["outline", ["angles"]],
    ["draft", ["polish"]],
    ["polish", ["review"]],
    ["review", ["draft"]],
    ["solo", ["solo"]],
  ]);
  assert.deepEqual(findCycles(dependencies), [
    ["angles", "outline", "angles"],
    ["draft", "review", "polish", "draft"],
  ]);
  assert.deepEqual([...ancestorsIn(dependencies, "angles")], ["outline"]);
});
