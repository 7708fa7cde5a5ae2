/**
 * The progress bar over a run's steps: one segment per step in pipeline
 * order, coloured by status (running pulses), each a link to its step's
 * section, with the count of finished steps for screen readers.
 */
import type { JSX } from "preact";
import type { PipelineRun } from "../engine/run_model.ts";

/** Props of `RunProgress`. */
export interface RunProgressProps {
  run: PipelineRun;
  stepNames: Record<string, string>;
}

/** The bar. */
export function RunProgress({ run, stepNames }: RunProgressProps): JSX.Element {
  const done = run.stepOrder.filter((id) => {
    const status = run.steps[id]?.status;
    return status === "completed" || status === "skipped";
  }).length;
  return (
    <nav aria-label="Step progress">
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={run.stepOrder.length}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${run.stepOrder.length} steps done`}
        class="sr-only"
      />
      <ol class="progress" data-testid="progress">
        {run.stepOrder.map((id) => {
          const status = run.steps[id]?.status ?? "pending";
          return (
            <li class={status} data-step={id} data-status={status}>
              <a
                href={`#step-${id}`}
                title={`${stepNames[id] ?? id}: ${status.replaceAll("_", " ")}`}
              >
                <span class="bar" />
                <span class="step-name">{stepNames[id] ?? id}</span>
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
