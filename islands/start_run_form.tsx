/**
 * Island: the form that starts a run of a pipeline, generated from its
 * inputs (text, textarea, number, boolean, choice) plus run options (model,
 * candidates per model, auto-select). It posts `/api/runs` with
 * `start: true` and goes to the new run's page; when the server refuses, its
 * explanation is shown, with each input's problem next to the input.
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { RunEstimate } from "../engine/run_estimate.ts";
import { formatCost, formatTokens } from "./format.ts";
import type { InputSpec } from "../engine/pipeline_schema.ts";
import {
  type ConnectionProps,
  dashboardClient,
  describeFailure,
  type FailureView,
} from "./dashboard_client.ts";
import { FailureAlert } from "./failure_alert.tsx";

/** Props of `StartRunForm` (serializable). */
export interface StartRunFormProps extends ConnectionProps {
  pipeline: string;
  inputs: InputSpec[];
  /** Models offered in the model field's suggestions (such as "offline"). */
  modelSuggestions: string[];
}

function initialValue(input: InputSpec): string | boolean {
  if (input.type === "boolean") return input.default === true;
  if (input.default !== undefined) return String(input.default);
  if (input.type === "choice" && input.options.length > 0) return input.options[0].value;
  return "";
}

/** Problem codes about the model a run would call. */
const MODEL_CODES = new Set(["missing_api_key", "unknown_model"]);

function fieldProblems(failure: FailureView | undefined, name: string): string[] {
  if (!failure) return [];
  return failure.issues.filter((line) =>
    line.startsWith(`inputs.${name}:`) || line.startsWith(`${name}:`) ||
    line.includes(`"${name}"`)
  );
}

/** The form. */
export function StartRunForm(props: StartRunFormProps): JSX.Element {
  const values = useSignal<Record<string, string | boolean>>(
    Object.fromEntries(props.inputs.map((input) => [input.name, initialValue(input)])),
  );
  const model = useSignal("");
  const responses = useSignal("");
  const autoSelect = useSignal(false);
  const busy = useSignal(false);
  const failure = useSignal<FailureView | undefined>(undefined);
  const estimate = useSignal<RunEstimate | undefined>(undefined);

  // The cost before anything is spent, read again (debounced) as the options change.
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        estimate.value = await dashboardClient(props).estimateRun({
          pipeline: props.pipeline,
          inputs: collectInputs(),
          ...(model.value.trim() ? { model: model.value.trim() } : {}),
          ...(responses.value ? { responses: Number(responses.value) } : {}),
        });
      } catch {
        estimate.value = undefined; // the model field says what is wrong, on submit
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [model.value, responses.value, values.value]);

  const collectInputs = (): Record<string, unknown> => {
    const inputs: Record<string, unknown> = {};
    for (const input of props.inputs) {
      const value = values.value[input.name];
      if (value === "" && !input.required) continue;
      inputs[input.name] = input.type === "number" && value !== "" ? Number(value) : value;
    }
    return inputs;
  };

  const setValue = (name: string, value: string | boolean) => {
    values.value = { ...values.value, [name]: value };
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    failure.value = undefined;
    const inputs = collectInputs();
    try {
      const client = dashboardClient(props);
      const { run } = await client.createRun({
        pipeline: props.pipeline,
        inputs,
        start: true,
        ...(model.value.trim() ? { model: model.value.trim() } : {}),
        ...(responses.value ? { responses: Number(responses.value) } : {}),
        ...(autoSelect.value ? { autoSelect: true } : {}),
      });
      const query = `?workspace=${encodeURIComponent(props.workspace)}`;
      globalThis.location.assign(`/runs/${encodeURIComponent(run.runId)}${query}`);
    } catch (error) {
      failure.value = describeFailure(error, "start the run");
      busy.value = false;
    }
  };

  // A model the server cannot call (unknown, or no key for it): said at the model field.
  const modelProblem = failure.value && MODEL_CODES.has(failure.value.code ?? "")
    ? failure.value.detail
    : undefined;
  return (
    <form
      onSubmit={submit}
      aria-label={`Start a run of ${props.pipeline}`}
      data-testid="start-form"
    >
      {props.inputs.map((input) => {
        const id = `input-${input.name}`;
        const problems = fieldProblems(failure.value, input.name);
        const describedBy = [input.help ? `${id}-help` : "", problems.length ? `${id}-error` : ""]
          .filter(Boolean).join(" ") || undefined;
        const value = values.value[input.name];
        return (
          <div class="field">
            {input.type === "boolean"
              ? (
                <label class="checkbox" for={id}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={value === true}
                    onChange={(event) => setValue(input.name, event.currentTarget.checked)}
                  />
                  {input.label}
                </label>
              )
              : <label for={id}>{input.label}{input.required ? " *" : ""}</label>}
            {input.type === "textarea"
              ? (
                <textarea
                  id={id}
                  name={input.name}
                  required={input.required}
                  placeholder={input.placeholder}
                  maxLength={input.maxLength}
                  aria-describedby={describedBy}
                  aria-invalid={problems.length > 0}
                  value={String(value)}
                  onInput={(event) => setValue(input.name, event.currentTarget.value)}
                />
              )
              : input.type === "choice"
              ? (
                <select
                  id={id}
                  name={input.name}
                  required={input.required}
                  aria-describedby={describedBy}
                  value={String(value)}
                  onChange={(event) => setValue(input.name, event.currentTarget.value)}
                >
                  {input.options.map((option) => (
                    <option value={option.value} title={option.description}>{option.label}</option>
                  ))}
                </select>
              )
              : input.type === "boolean"
              ? null
              : (
                <input
                  id={id}
                  name={input.name}
                  {...(input.type === "number"
                    ? { type: "number" }
                    : { type: "text", list: undefined })}
                  required={input.required}
                  placeholder={input.placeholder}
                  maxLength={input.maxLength}
                  min={input.min}
                  max={input.max}
                  aria-describedby={describedBy}
                  aria-invalid={problems.length > 0}
                  value={String(value)}
                  onInput={(event) => setValue(input.name, event.currentTarget.value)}
                />
              )}
            {input.help ? <p class="help" id={`${id}-help`}>{input.help}</p> : null}
            {problems.length
              ? <p class="field-error" id={`${id}-error`}>{problems.join("; ")}</p>
              : null}
          </div>
        );
      })}
      <details open={modelProblem !== undefined || undefined}>
        <summary>Run options</summary>
        <div class="field">
          <label for="run-model">Model for every step</label>
          <input
            id="run-model"
            name="model"
            type="text"
            list="run-model-suggestions"
            placeholder="the pipeline's own models"
            aria-invalid={modelProblem !== undefined || undefined}
            aria-describedby={modelProblem ? "run-model-help run-model-error" : "run-model-help"}
            value={model.value}
            onInput={(event) => (model.value = event.currentTarget.value)}
          />
          <datalist id="run-model-suggestions">
            {props.modelSuggestions.map((name) => <option key={name} value={name} />)}
          </datalist>
          <p class="help" id="run-model-help">
            Leave empty to use the models the pipeline names; “offline” needs no API key.
          </p>
          {modelProblem ? <p class="field-error" id="run-model-error">{modelProblem}</p> : null}
        </div>
        <div class="field">
          <label for="run-responses">Candidates per model</label>
          <input
            id="run-responses"
            name="responses"
            type="number"
            min={1}
            max={10}
            placeholder="as the pipeline says"
            value={responses.value}
            onInput={(event) => (responses.value = event.currentTarget.value)}
          />
        </div>
        <label class="checkbox" for="run-auto-select">
          <input
            id="run-auto-select"
            type="checkbox"
            checked={autoSelect.value}
            onChange={(event) => (autoSelect.value = event.currentTarget.checked)}
          />
          Pick the first valid candidate at every step (no review)
        </label>
      </details>
      {estimate.value ? <EstimateView estimate={estimate.value} /> : null}
      {failure.value && !modelProblem ? <FailureAlert failure={failure.value} /> : null}
      <div class="actions">
        <button class="primary" type="submit" disabled={busy.value}>
          {busy.value ? "Starting…" : "Start run"}
        </button>
      </div>
    </form>
  );
}

/** The estimate under the form: the total, and per step and model on demand. */
function EstimateView({ estimate }: { estimate: RunEstimate }): JSX.Element {
  const tokens = estimate.inputTokens + estimate.outputTokens;
  return (
    <details class="estimate small" data-testid="estimate">
      <summary>
        {`Estimate: about ${formatTokens(tokens)} tokens, ${formatCost(estimate.costUsd)}${
          estimate.unpriced.length ? ` (no price for ${estimate.unpriced.join(", ")})` : ""
        }`}
      </summary>
      <table>
        <caption class="sr-only">Estimate per step and model</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Model</th>
            <th scope="col" class="number">Candidates</th>
            <th scope="col" class="number">Tokens in / out</th>
            <th scope="col" class="number">Cost</th>
          </tr>
        </thead>
        <tbody>
          {estimate.steps.flatMap((step) =>
            step.models.map((model) => (
              <tr key={`${step.stepId}-${model.model}`}>
                <td>{step.name}</td>
                <td>{model.model}</td>
                <td class="number">{String(model.candidates)}</td>
                <td class="number">
                  {`${formatTokens(model.inputTokens)} / ${formatTokens(model.outputTokens)}`}
                </td>
                <td class="number">{model.priced ? formatCost(model.costUsd) : "no price"}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p class="muted">{`Assumes ${estimate.assumptions.join("; ")}.`}</p>
    </details>
  );
}
