/**
 * The progress bar over a run's steps: one segment per step in pipeline
 * order, coloured by status (running pulses), each a link to its step's
 * section, with how long its latest generation took (the slowest of the
 * candidates asked at once) and the count of finished steps for screen readers.
 */
import type { JSX } from "preact";
import type { PipelineRun, StepState } from "../engine/run_model.ts";

/** Seconds the step's latest generation took (its candidates run at once), if it has any. */
export function generationSeconds(step: StepState | undefined): number | undefined {
  const times = (step?.responses ?? [])
    .filter((response) => response.generation === step!.generation && response.origin !== "edit")
    .map((response) => response.processingTime);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** `0.4 s`, `12 s`, `2 min 5 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

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
          const seconds = generationSeconds(run.steps[id]);
          const timing = status === "running"
            ? "generating…"
            : seconds === undefined
            ? ""
            : formatSeconds(seconds);
          return (
            <li class={status} data-step={id} data-status={status}>
              <a
                href={`#step-${id}`}
                title={`${stepNames[id] ?? id}: ${status.replaceAll("_", " ")}${
                  timing ? ` (${timing})` : ""
                }`}
              >
                <span class="bar" />
                <span class="step-name">{stepNames[id] ?? id}</span>
                {timing ? <span class="step-time" data-testid="step-time">{timing}</span> : null}
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
