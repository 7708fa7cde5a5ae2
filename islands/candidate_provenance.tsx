/**
 * Where a candidate came from, opened on demand under its card: the model
 * and provider, whether the cache answered, how long it took and how fast
 * it streamed, tokens and cost, why it stopped, the feedback its prompt
 * carried, the candidates a merge or edit was made from, and the exact
 * prompt that was sent. The run page leaves prompts out to stay light, so
 * the full candidate is read through the API the first time it is opened.
 */
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import type { AIResponse, StepState } from "../engine/run_model.ts";
import { formatCost, formatTokens } from "./format.ts";

/** Props of `CandidateProvenance`. */
export interface CandidateProvenanceProps {
  response: AIResponse;
  step: StepState;
  /** Reads the whole candidate (with its prompt); undefined when it cannot be read. */
  load: (responseId: string) => Promise<AIResponse | undefined>;
}

/** Output tokens per second, when the candidate took a measurable time. */
export function tokensPerSecond(response: AIResponse): number | undefined {
  if (response.cached || response.processingTime <= 0 || response.usage.outputTokens <= 0) {
    return undefined;
  }
  return response.usage.outputTokens / response.processingTime;
}

/** The panel. */
export function CandidateProvenance(props: CandidateProvenanceProps): JSX.Element {
  const full = useSignal<AIResponse | undefined>(undefined);
  const failed = useSignal(false);
  const response = props.response;
  const speed = tokensPerSecond(response);
  const feedback = props.step.feedback.filter((note) => note.generation < response.generation);
  const sources = (response.sourceResponseIds ?? []).map((id) =>
    props.step.responses.findIndex((other) => other.responseId === id) + 1
  ).filter((number) => number > 0);
  const prompt = full.value?.promptUsed;
  return (
    <details
      class="provenance small"
      onToggle={async (event) => {
        if (!(event.currentTarget as HTMLDetailsElement).open || full.value) return;
        const loaded = await props.load(response.responseId).catch(() => undefined);
        if (loaded) full.value = loaded;
        else failed.value = true;
      }}
    >
      <summary>Provenance</summary>
      <dl>
        <dt>From</dt>
        <dd>
          {response.origin === "model"
            ? `${response.modelName} (${response.provider})${
              response.cached ? ", from the cache" : ""
            }`
            : response.origin === "edit"
            ? "your edit"
            : response.origin === "merge"
            ? `a merge by ${response.modelName}`
            : response.origin}
        </dd>
        {sources.length > 0
          ? (
            <>
              <dt>Made from</dt>
              <dd>{`candidate ${sources.join(", ")}`}</dd>
            </>
          )
          : null}
        {response.origin === "model" || response.origin === "merge"
          ? (
            <>
              <dt>Time</dt>
              <dd>
                {`${response.processingTime.toFixed(2)} s${
                  speed === undefined ? "" : ` · ${speed.toFixed(0)} tokens/s`
                }`}
              </dd>
              <dt>Tokens</dt>
              <dd>
                {`${formatTokens(response.usage.inputTokens)} in, ${
                  formatTokens(response.usage.outputTokens)
                } out${response.usage.estimated ? " (estimated)" : ""} · ${
                  formatCost(response.usage.costUsd)
                }`}
              </dd>
              {response.finishReason
                ? (
                  <>
                    <dt>Stopped</dt>
                    <dd>{response.finishReason}</dd>
                  </>
                )
                : null}
            </>
          )
          : null}
        <dt>Generation</dt>
        <dd>{String(response.generation + 1)}</dd>
        {feedback.length > 0
          ? (
            <>
              <dt>Feedback it answered</dt>
              <dd>
                <ul>{feedback.map((note, index) => <li key={index}>{note.text}</li>)}</ul>
              </dd>
            </>
          )
          : null}
      </dl>
      {response.origin === "edit" ? null : prompt
        ? (
          <details>
            <summary>
              {`The prompt sent (${prompt.length.toLocaleString("en-US")} characters)`}
            </summary>
            <pre class="prompt">{prompt}</pre>
          </details>
        )
        : (
          <p class="muted">
            {failed.value ? "The prompt could not be read." : "Reading the prompt…"}
          </p>
        )}
    </details>
  );
}
