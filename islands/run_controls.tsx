/**
 * The run's toolbar: start (or continue after a server restart), pause,
 * resume and cancel, each shown only when the run's status allows it (the
 * server still has the last word), plus a reminder of the keyboard
 * shortcuts. Cancelling asks for confirmation first.
 */
import type { JSX } from "preact";
import type { PipelineRun } from "../engine/run_model.ts";

/** What a toolbar button asks for. */
export type RunControlAction = "start" | "pause" | "resume" | "cancel";

/** Props of `RunControls`. */
export interface RunControlsProps {
  run: PipelineRun;
  driving: boolean;
  disabled: boolean;
  onAction: (action: RunControlAction) => void;
}

/** The toolbar. */
export function RunControls({ run, driving, disabled, onAction }: RunControlsProps): JSX.Element {
  const status = run.status;
  const waiting = run.stepOrder.some((id) => run.steps[id]?.status === "awaiting_selection");
  const active = status === "initializing" || status === "running";
  return (
    <div class="actions" role="toolbar" aria-label="Run controls">
      {active && !driving && !waiting
        ? (
          <button
            type="button"
            class="primary"
            disabled={disabled}
            onClick={() => onAction("start")}
          >
            {status === "initializing" ? "Start" : "Continue"}
          </button>
        )
        : null}
      {active
        ? (
          <button type="button" disabled={disabled} onClick={() => onAction("pause")}>
            Pause
          </button>
        )
        : null}
      {status === "paused" || status === "error"
        ? (
          <button
            type="button"
            class="primary"
            disabled={disabled}
            onClick={() => onAction("resume")}
          >
            Resume
          </button>
        )
        : null}
      {status !== "completed" && status !== "cancelled"
        ? (
          <button
            type="button"
            class="danger"
            disabled={disabled}
            onClick={() => {
              if (globalThis.confirm?.("Cancel this run? It cannot be resumed.") === false) return;
              onAction("cancel");
            }}
          >
            Cancel run
          </button>
        )
        : null}
      {status !== "completed" && status !== "cancelled"
        ? (
          <span class="shortcuts" aria-label="Keyboard shortcuts">
            <span class="kbd">1</span>–<span class="kbd">9</span> pick · <span class="kbd">f</span>
            {" "}
            feedback · <span class="kbd">r</span> regenerate
          </span>
        )
        : null}
    </div>
  );
}
