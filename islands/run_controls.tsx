/**
 * The run's toolbar: start (or continue after a server restart), pause,
 * resume and cancel, each shown only when the run's status allows it (the
 * server still has the last word), continuing on another model (the step
 * the run stopped at, failed or waiting, is asked again on it), plus a
 * reminder of the keyboard shortcuts. Cancelling asks for confirmation first.
 */
import { useSignal } from "@preact/signals";
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
  /** Continue the run on `model` from now on. */
  onSwitchModel?: (model: string) => void;
}

/** Model names offered as suggestions (any name the server knows works). */
const SUGGESTED_MODELS = [
  "offline",
  "gpt-4.1",
  "gpt-4.1-mini",
  "claude-sonnet-4",
  "claude-haiku-4",
];

/** The toolbar. */
export function RunControls(
  { run, driving, disabled, onAction, onSwitchModel }: RunControlsProps,
): JSX.Element {
  const model = useSignal("");
  const status = run.status;
  const current = typeof run.options?.modelOverride === "string"
    ? run.options.modelOverride
    : undefined;
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
      {onSwitchModel && status !== "completed" && status !== "cancelled"
        ? (
          <details class="switch-model" open={status === "error"}>
            <summary>{status === "error" ? "Continue on another model" : "Switch model"}</summary>
            <form
              class="actions"
              onSubmit={(event) => {
                event.preventDefault();
                const name = model.value.trim();
                if (name) onSwitchModel(name);
              }}
            >
              <label for="switch-model">
                {`Model${current ? ` (now ${current})` : ""}`}
              </label>
              <input
                id="switch-model"
                list="switch-model-names"
                required
                maxLength={200}
                placeholder="offline"
                value={model.value}
                onInput={(event) => (model.value = (event.target as HTMLInputElement).value)}
              />
              <datalist id="switch-model-names">
                {SUGGESTED_MODELS.map((name) => <option key={name} value={name} />)}
              </datalist>
              <button type="submit" disabled={disabled || model.value.trim() === ""}>
                Continue on this model
              </button>
            </form>
          </details>
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
