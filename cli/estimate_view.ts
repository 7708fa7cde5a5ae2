/**
 * `writeit run PIPELINE --estimate`: what the run would cost before anything
 * is created or spent (engine/run_estimate.ts), as a table per step and
 * model with the total and the assumptions, or as JSON with `--json`.
 */
import type { RunEstimate } from "../engine/run_estimate.ts";
import type { Output } from "./output.ts";

/** Prints `estimate` for people, or as one JSON document with `json`. */
export function printEstimate(
  output: Output,
  estimate: RunEstimate,
  options: { json: boolean },
): void {
  if (options.json) return output.printJson(estimate);
  const rows = estimate.steps.flatMap((step) => step.models.map((model) => ({ step, model })));
  output.table(rows, [
    { header: "STEP", value: (row) => row.step.stepId },
    { header: "MODEL", value: (row) => row.model.model },
    { header: "CANDIDATES", value: (row) => String(row.model.candidates), right: true },
    {
      header: "TOKENS IN",
      value: (row) => row.model.inputTokens.toLocaleString("en-US"),
      right: true,
    },
    {
      header: "TOKENS OUT",
      value: (row) => row.model.outputTokens.toLocaleString("en-US"),
      right: true,
    },
    {
      header: "COST",
      value: (row) => row.model.priced ? `$${row.model.costUsd.toFixed(4)}` : "no price",
      right: true,
    },
  ]);
  const tokens = estimate.inputTokens + estimate.outputTokens;
  output.print(
    `About ${tokens.toLocaleString("en-US")} tokens, $${estimate.costUsd.toFixed(4)}${
      estimate.unpriced.length ? ` (no price for ${estimate.unpriced.join(", ")})` : ""
    }. Nothing was run.`,
  );
  output.print(output.styles.dim(`Assumes ${estimate.assumptions.join("; ")}.`));
}
