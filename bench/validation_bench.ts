/**
 * Pipeline validation against the size of the pipeline: one step whose
 * template reads 5,000 / 20,000 variables (half of them misspelled, so every
 * lookup, location and suggestion path runs), validated by `loadPipeline`.
 * The baseline of each row is a plain YAML parse of the same text, measured
 * in the same run; validation must grow linearly, so the 20k/5k ratio of its
 * times must stay near 4 (quadratic would be 16).
 */
import { parseDocument } from "yaml";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import type { BenchResult } from "./bench_result.ts";

function pipelineWith(references: number): string {
  const body = Array.from(
    { length: references },
    (_, index) => index % 2 ? "{{ inputs.topic }}" : "{{ inputs.topc }}",
  ).join(" ");
  return [
    "metadata: { name: Big }",
    "inputs:",
    "  topic: { type: text }",
    "steps:",
    "  plan:",
    "    prompt_template: |",
    `      ${body}`,
    "",
  ].join("\n");
}

function best(action: () => void, rounds = 3): number {
  let fastest = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    action();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

export function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const times: Record<number, number> = {};
  for (const references of [5_000, 20_000]) {
    const text = pipelineWith(references);
    const yaml = best(() => parseDocument(text));
    const validation = best(() => loadPipeline(text, { file: "big.yaml" }));
    times[references] = validation;
    results.push({
      name: `validate a template of ${references.toLocaleString("en-US")} references (${
        Math.round(text.length / 1024)
      } KiB)`,
      value: validation,
      unit: "ms",
      baseline: { name: "YAML parse of the same text", value: yaml },
      ratio: validation / yaml,
    });
  }
  const growth = times[20_000] / times[5_000];
  results.push({
    name: "validation time, 20,000 references / 5,000",
    value: growth,
    unit: "×",
    target: "< 6 (linear is 4, quadratic 16)",
    met: growth < 6,
  });
  return Promise.resolve(results);
}
