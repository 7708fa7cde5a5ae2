/**
 * Token and cost charts of a run as inline SVG (no chart library): tokens
 * per step (input and output stacked), cost per step, and tokens and cost
 * per model (summed over every candidate the model produced). Each chart
 * carries a text table for screen readers.
 */
import type { JSX } from "preact";
import type { PipelineRun } from "../engine/run_model.ts";
import { formatCost, formatTokens } from "./format.ts";

/** One bar: a label and up to two stacked parts. */
export interface ChartRow {
  label: string;
  parts: { value: number; kind: "input" | "output" | "cost" }[];
  display: string;
}

/** Per-step and per-model rows of a run. */
export function usageRows(run: PipelineRun): {
  stepTokens: ChartRow[];
  stepCost: ChartRow[];
  modelTokens: ChartRow[];
  modelCost: ChartRow[];
} {
  const stepTokens: ChartRow[] = [];
  const stepCost: ChartRow[] = [];
  const models = new Map<string, { input: number; output: number; cost: number }>();
  for (const stepId of run.stepOrder) {
    const step = run.steps[stepId];
    if (!step) continue;
    stepTokens.push({
      label: stepId,
      parts: [
        { value: step.usage.inputTokens, kind: "input" },
        { value: step.usage.outputTokens, kind: "output" },
      ],
      display: formatTokens(step.usage.totalTokens),
    });
    stepCost.push({
      label: stepId,
      parts: [{ value: step.usage.costUsd, kind: "cost" }],
      display: formatCost(step.usage.costUsd),
    });
    for (const response of step.responses) {
      if (response.origin === "edit" || response.origin === "user_input") continue; // no model ran
      const total = models.get(response.modelName) ?? { input: 0, output: 0, cost: 0 };
      total.input += response.usage.inputTokens;
      total.output += response.usage.outputTokens;
      total.cost += response.usage.costUsd;
      models.set(response.modelName, total);
    }
  }
  const sorted = [...models.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  return {
    stepTokens,
    stepCost,
    modelTokens: sorted.map(([label, total]) => ({
      label,
      parts: [{ value: total.input, kind: "input" }, { value: total.output, kind: "output" }],
      display: formatTokens(total.input + total.output),
    })),
    modelCost: sorted.map(([label, total]) => ({
      label,
      parts: [{ value: total.cost, kind: "cost" }],
      display: formatCost(total.cost),
    })),
  };
}

const COLORS = { input: "#7aa2ff", output: "#2956c7", cost: "#1e7d3a" };

/** A horizontal bar chart. */
export function BarChart({ title, rows }: { title: string; rows: ChartRow[] }): JSX.Element {
  const width = 420;
  const labelWidth = 120;
  const valueWidth = 70;
  const barHeight = 18;
  const gap = 8;
  const height = Math.max(1, rows.length) * (barHeight + gap) + gap;
  const max = Math.max(
    0,
    ...rows.map((row) => row.parts.reduce((sum, part) => sum + part.value, 0)),
  );
  const scale = max > 0 ? (width - labelWidth - valueWidth) / max : 0;
  const titleId = `chart-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <figure class="chart panel" aria-labelledby={titleId}>
      <figcaption id={titleId}>
        <strong>{title}</strong>
      </figcaption>
      {rows.length === 0 ? <p class="muted small">Nothing yet.</p> : (
        <svg
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={`${title}: ${rows.map((row) => `${row.label} ${row.display}`).join(", ")}`}
        >
          {rows.map((row, index) => {
            const y = gap + index * (barHeight + gap);
            let x = labelWidth;
            return (
              <g>
                <text x={labelWidth - 6} y={y + barHeight * 0.72} text-anchor="end">
                  {row.label.length > 16 ? `${row.label.slice(0, 15)}…` : row.label}
                </text>
                {row.parts.map((part) => {
                  const barWidth = part.value * scale;
                  const rect = (
                    <rect
                      x={x}
                      y={y}
                      width={Math.max(0, barWidth)}
                      height={barHeight}
                      rx={3}
                      fill={COLORS[part.kind]}
                    >
                      <title>{`${row.label} ${part.kind}: ${part.value}`}</title>
                    </rect>
                  );
                  x += barWidth;
                  return rect;
                })}
                <text class="value" x={x + 6} y={y + barHeight * 0.72}>{row.display}</text>
              </g>
            );
          })}
        </svg>
      )}
      {rows.some((row) => row.parts.length > 1)
        ? (
          <p class="small muted">
            <span style={`color:${COLORS.input}`}>■</span> input{" "}
            <span style={`color:${COLORS.output}`}>■</span> output
          </p>
        )
        : null}
    </figure>
  );
}

/** The four charts of a run. */
export function UsageCharts({ run }: { run: PipelineRun }): JSX.Element {
  const rows = usageRows(run);
  return (
    <div class="charts" data-testid="charts">
      <BarChart title="Tokens per step" rows={rows.stepTokens} />
      <BarChart title="Cost per step" rows={rows.stepCost} />
      <BarChart title="Tokens per model" rows={rows.modelTokens} />
      <BarChart title="Cost per model" rows={rows.modelCost} />
    </div>
  );
}
