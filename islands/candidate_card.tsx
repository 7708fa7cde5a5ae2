/**
 * One candidate in the run view: its number key, candidate index, origin,
 * cache and validation marks, tokens, cost and length in words; its text
 * (rendered Markdown or as written, see text_mode.ts; growing while it
 * streams); and its buttons: pick (or accept a selected merge),
 * tick for merging, and edit from this text.
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import type { AIResponse, CandidateRating, StepState } from "../engine/run_model.ts";
import { CandidateProvenance } from "./candidate_provenance.tsx";
import type { CandidateCard } from "./candidate_columns.ts";
import { formatCost, formatTokens } from "./format.ts";
import { MarkdownView, wordCount } from "./markdown_view.tsx";
import { textMode } from "./text_mode.ts";

/** One candidate card. */
export function CandidateCardView(
  {
    card,
    number,
    step,
    readOnly,
    busy,
    paused,
    ticked,
    onTick,
    onPick,
    onEditFrom,
    loadResponse,
    rating,
    onRate,
  }: {
    card: CandidateCard;
    /** The run is paused: streaming text stopped and resumes with the run. */
    paused: boolean;
    number?: number;
    step: StepState;
    readOnly: boolean;
    busy: boolean;
    ticked: boolean;
    onTick: (checked: boolean) => void;
    onPick: () => void;
    onEditFrom: () => void;
    /** Reads the whole candidate (its prompt included) for its provenance. */
    loadResponse?: (responseId: string) => Promise<AIResponse | undefined>;
    /** The writer's rating and note of this candidate. */
    rating?: CandidateRating;
    /** Rates it ("none" takes the rating back); absent where ratings cannot be given. */
    onRate?: (rating: "up" | "down" | "none", note?: string) => void;
  },
): JSX.Element {
  const noting = useSignal<string | undefined>(undefined);
  const response = card.response;
  const selected = response !== undefined && step.userSelection === card.responseIndex;
  const invalid = response !== undefined && !response.validation.passed;
  const classes = [
    "card",
    selected ? "selected" : "",
    invalid ? "invalid" : "",
    response || paused ? "" : "streaming",
  ].filter(Boolean).join(" ");
  /** Picking again keeps a completed pick; a selected but unaccepted merge is accepted. */
  const verb = selected && step.status === "completed" ? "Picked" : selected ? "Accept" : "Pick";
  const label = response
    ? `Candidate ${number ?? ""} from ${response.modelName}`
    : `Candidate ${card.candidateIndex + 1} (streaming)`;
  return (
    <article
      class={classes}
      aria-label={label}
      data-testid={response ? "candidate" : "streaming-candidate"}
      data-response-index={card.responseIndex}
      data-selected={selected ? "true" : undefined}
    >
      <header>
        {number !== undefined
          ? <span class="key" title={`Press ${number} to pick`}>{number}</span>
          : null}
        <span>{`#${card.candidateIndex + 1}`}</span>
        {response
          ? (
            <>
              {response.cached ? <span class="badge status-pending">cached</span> : null}
              {response.origin !== "model"
                ? <span class="badge status-running">{response.origin}</span>
                : null}
              {selected ? <span class="badge status-completed">selected</span> : null}
              <span class="muted">
                {`${formatTokens(response.usage.totalTokens)} tokens · ${
                  formatCost(response.usage.costUsd)
                } · `}
                <span
                  title={`${response.processedContent.length.toLocaleString("en-US")} characters`}
                >
                  {`${wordCount(response.processedContent).toLocaleString("en-US")} words`}
                </span>
              </span>
            </>
          )
          : (
            <span class="muted" role="status">
              {paused ? "paused: continues when the run resumes" : "streaming…"}
            </span>
          )}
      </header>
      {invalid
        ? (
          <p class="small issue-warning">
            Does not pass validation: {response!.validation.reasons.join("; ")}
          </p>
        )
        : null}
      {response && textMode.value === "rendered"
        ? (
          <div class="text rendered">
            <MarkdownView text={response.processedContent} />
          </div>
        )
        : <div class="text">{response ? response.processedContent : card.streamingText}</div>}
      {response && onRate
        ? (
          <div
            class="rating"
            role="group"
            aria-label={`Your rating of candidate ${number ?? card.candidateIndex + 1}`}
          >
            {(["up", "down"] as const).map((value) => (
              <button
                key={value}
                type="button"
                class="small"
                aria-pressed={rating?.rating === value}
                aria-label={value === "up" ? "Good candidate" : "Weak candidate"}
                disabled={busy}
                onClick={() => onRate(rating?.rating === value ? "none" : value, rating?.note)}
              >
                {value === "up" ? "▲ Good" : "▼ Weak"}
              </button>
            ))}
            {noting.value === undefined
              ? (
                <>
                  {rating?.note ? <span class="small note">{rating.note}</span> : null}
                  <button
                    type="button"
                    class="small"
                    onClick={() => (noting.value = rating?.note ?? "")}
                  >
                    {rating?.note ? "Change note" : "Add a note"}
                  </button>
                </>
              )
              : (
                <form
                  class="actions"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const note = noting.value?.trim() ?? "";
                    noting.value = undefined;
                    onRate(rating?.rating ?? "none", note || undefined);
                  }}
                >
                  <input
                    aria-label="Note on this candidate"
                    maxLength={2000}
                    value={noting.value}
                    onInput={(event) => (noting.value = event.currentTarget.value)}
                  />
                  <button type="submit" class="small">Save note</button>
                </form>
              )}
          </div>
        )
        : null}
      {response && loadResponse
        ? <CandidateProvenance response={response} step={step} load={loadResponse} />
        : null}
      {response && !readOnly
        ? (
          <footer>
            <button
              type="button"
              class={selected && step.status === "completed" ? undefined : "primary"}
              disabled={busy}
              onClick={onPick}
              aria-label={`${verb} candidate ${
                number ?? card.candidateIndex + 1
              } from ${response.modelName}`}
            >
              {verb}
            </button>
            <label class="checkbox">
              <input
                type="checkbox"
                aria-label={`Merge candidate ${
                  number ?? card.candidateIndex + 1
                } from ${response.modelName}`}
                checked={ticked}
                onChange={(event) => onTick(event.currentTarget.checked)}
              />
              merge
            </label>
            <button type="button" onClick={onEditFrom} disabled={busy}>Edit from this</button>
          </footer>
        )
        : null}
    </article>
  );
}
