/**
 * One step of the run view: its status, generation and usage; the retries
 * and fallbacks its model calls went through; its
 * candidates side by side per model (streaming text while they arrive); and
 * the writer's controls: pick (keys 1..9 on the step in focus), merge the
 * ticked candidates, edit by hand, feedback and regenerate (f, then
 * Ctrl+Enter), regenerate (r), skip, branch from here, rewind to here.
 * Controls only report intents; the run view performs them.
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import type { AIResponse, PipelineRun } from "../engine/run_model.ts";
import { allowedActions, type SessionActionName } from "../engine/run_session.ts";
import { StatusBadge } from "./status_badge.tsx";
import {
  type CandidateCard,
  candidateColumns,
  pickableCards,
  type StreamedCandidate,
} from "./candidate_columns.ts";
import { FocusedCompare } from "./focused_compare.tsx";
import { CandidateCardView } from "./candidate_card.tsx";
import { formatCost, formatTokens } from "./format.ts";
import { attemptFailureNotice } from "../engine/attempt_failure_notice.ts";
import { generationLabel } from "../engine/generation_number.ts";

/** What a control asks for. */
export type StepIntent =
  | { action: "select"; index: number }
  | { action: "merge"; responseIds: string[]; instructions?: string }
  | { action: "edit"; text: string }
  | { action: "feedback"; text: string }
  | { action: "regenerate" }
  | { action: "skip" }
  | { action: "branch" }
  | { action: "rewind" }
  | { action: "rate"; responseId: string; rating: "up" | "down" | "none"; note?: string };

/** Props of `StepPanel`. */
export interface StepPanelProps {
  run: PipelineRun;
  stepId: string;
  name: string;
  description?: string;
  allowFeedback: boolean;
  streams: ReadonlyMap<string, StreamedCandidate>;
  /** The step that keyboard shortcuts act on. */
  focus: boolean;
  /** Shown unfolded (besides running, awaiting and failed steps). */
  open?: boolean;
  /** Viewing history: no controls. */
  readOnly: boolean;
  /** An action is in flight. */
  busy: boolean;
  onIntent: (stepId: string, intent: StepIntent) => void;
  /** Reads a whole candidate (its prompt included), for its provenance. */
  loadResponse?: (responseId: string) => Promise<AIResponse | undefined>;
}

/** The step's section. */
export function StepPanel(props: StepPanelProps): JSX.Element {
  const step = props.run.steps[props.stepId];
  const ticked = useSignal<readonly string[]>([]);
  const feedback = useSignal("");
  const editing = useSignal<string | undefined>(undefined);
  const instructions = useSignal("");
  const comparing = useSignal(false);
  if (!step) return <section class="panel">Unknown step {props.stepId}</section>;
  const { columns, earlier } = candidateColumns(step, props.streams);
  const pickable = pickableCards(columns);
  const numberOf = (card: CandidateCard) => {
    const index = pickable.indexOf(card);
    return index >= 0 && index < 9 ? index + 1 : undefined;
  };
  const intent = (value: StepIntent) => props.onIntent(props.stepId, value);
  // What the engine would accept now, and why not: the same rules as every other front end.
  const allowed = allowedActions(props.run, props.stepId);
  const why = (action: SessionActionName): string | undefined => {
    const permission = allowed[action];
    return permission.allowed ? undefined : permission.why;
  };
  /** What a destructive action asks before it goes (nothing is deleted, but work moves on). */
  const confirmations: Partial<Record<"skip" | "branch" | "rewind", string>> = {
    skip:
      `Skip “${props.name}”? Later steps will read it as empty; you can rewind to it afterwards.`,
    rewind:
      `Rewind to “${props.name}”? The steps after it go stale and are generated again; nothing is deleted.`,
  };
  /** A button for an action that needs nothing but the step. */
  const actionButton = (action: "skip" | "branch" | "rewind", label: string) => (
    <button
      type="button"
      disabled={props.busy || why(action) !== undefined}
      title={why(action)}
      aria-description={why(action)}
      onClick={() => {
        const question = confirmations[action];
        if (question && globalThis.confirm?.(question) === false) return;
        intent({ action });
      }}
    >
      {label}
    </button>
  );
  const open = props.open || props.focus || step.status === "running" ||
    step.status === "awaiting_selection" ||
    step.status === "failed";
  const hasResult = step.status === "completed" || step.status === "skipped";
  /** A finished (completed or cancelled) run only branches; its steps take no more actions. */
  const finished = props.run.status === "cancelled" || props.run.status === "completed";
  const canAct = !props.readOnly && step.status !== "pending";
  const tick = (responseId: string, checked: boolean) => {
    ticked.value = checked
      ? [...ticked.value.filter((id) => id !== responseId), responseId]
      : ticked.value.filter((id) => id !== responseId);
  };
  const renderCard = (card: CandidateCard, number?: number) => (
    <CandidateCardView
      key={card.key}
      card={card}
      number={number}
      step={step}
      readOnly={props.readOnly || finished}
      busy={props.busy}
      paused={props.run.status === "paused"}
      ticked={card.response !== undefined && ticked.value.includes(card.response.responseId)}
      onTick={(checked) => card.response && tick(card.response.responseId, checked)}
      onPick={() =>
        card.responseIndex !== undefined && intent({ action: "select", index: card.responseIndex })}
      onEditFrom={() => (editing.value = card.response?.processedContent ?? "")}
      loadResponse={props.loadResponse}
      rating={card.response ? step.ratings?.[card.response.responseId] : undefined}
      onRate={props.readOnly || !card.response
        ? undefined
        : (rating, note) =>
          intent({ action: "rate", responseId: card.response!.responseId, rating, note })}
    />
  );
  return (
    <details
      class="step panel"
      id={`step-${props.stepId}`}
      open={open}
      data-step={props.stepId}
      data-status={step.status}
      data-focus={props.focus ? "true" : undefined}
    >
      <summary>
        <h3>{props.name}</h3>
        <span class="mono muted">{props.stepId}</span>
        <StatusBadge status={step.status} label="Step status" />
        {step.generation > 0
          ? <span class="small muted">{generationLabel(step.generation)}</span>
          : null}
        <span class="small muted">
          {`${formatTokens(step.usage.totalTokens)} tokens · ${formatCost(step.usage.costUsd)}`}
        </span>
        {props.focus && !props.readOnly && step.status === "awaiting_selection"
          ? <span class="badge status-awaiting_selection">your turn</span>
          : null}
      </summary>
      {props.description ? <p class="small muted">{props.description}</p> : null}
      {step.error && props.run.status !== "error"
        ? <p class="alert" role="alert">{step.error}</p>
        : null}
      {step.attemptFailures && step.attemptFailures.length > 0
        ? (
          <details
            class="attempt-failures small"
            data-attempt-failures={step.attemptFailures.length}
          >
            <summary>
              {`${step.attemptFailures.length} retr${
                step.attemptFailures.length === 1 ? "y or fallback" : "ies or fallbacks"
              } of model calls`}
            </summary>
            <ul>
              {step.attemptFailures.map((failure, index) => (
                <li key={index} data-action={failure.action} data-code={failure.code}>
                  {attemptFailureNotice(props.stepId, failure)}
                </li>
              ))}
            </ul>
          </details>
        )
        : null}
      {step.feedback.length > 0
        ? (
          <p class="small">
            <strong>Feedback given:</strong>{" "}
            {step.feedback.map((item) => `“${item.text}”`).join(", ")}
          </p>
        )
        : null}
      {hasResult && step.selectedText !== undefined
        ? (
          <div>
            <h4 class="small">Result</h4>
            <div class="selected-text panel" data-testid="selected-text">{step.selectedText}</div>
          </div>
        )
        : null}
      {columns.length > 0
        ? (
          <div class="columns" data-testid="candidates">
            {columns.map((column) => (
              <section class="column" aria-label={`Candidates from ${column.label}`}>
                <h4>{column.label}</h4>
                {column.cards.length === 0
                  ? (
                    <p class="muted small">
                      {step.status === "failed" ? "no candidate (the model failed)" : "waiting…"}
                    </p>
                  )
                  : null}
                <div class={columns.length === 1 ? "columns" : undefined}>
                  {column.cards.map((card) =>
                    renderCard(card, numberOf(card))
                  )}
                </div>
              </section>
            ))}
          </div>
        )
        : null}
      {earlier.length > 0
        ? (
          <details>
            <summary class="small">{`Earlier generations (${earlier.length})`}</summary>
            <div class="columns">{earlier.map((card) => renderCard(card))}</div>
          </details>
        )
        : null}
      {comparing.value && ticked.value.length >= 2
        ? (
          <FocusedCompare
            stepName={props.name}
            candidates={ticked.value.slice(0, 4).flatMap((id) => {
              const index = step.responses.findIndex((response) => response.responseId === id);
              if (index < 0) return [];
              const card = pickable.find((candidate) => candidate.responseIndex === index);
              return [{
                response: step.responses[index],
                number: (card ? numberOf(card) : undefined) ?? index + 1,
              }];
            })}
            canEdit={!props.readOnly && why("edit") === undefined}
            busy={props.busy}
            onSaveEdit={(text) => {
              intent({ action: "edit", text });
              comparing.value = false;
            }}
            onClose={() => (comparing.value = false)}
          />
        )
        : null}
      {canAct && finished
        ? (
          <div class="step-controls actions">
            <span class="small muted">
              {`This run is ${props.run.status}: branch from a step to change it.`}
            </span>
            {actionButton("branch", "Branch from here")}
          </div>
        )
        : canAct
        ? (
          <div class="step-controls">
            {editing.value !== undefined
              ? (
                <div class="field">
                  <label for={`edit-${props.stepId}`}>Edit the result by hand</label>
                  <textarea
                    id={`edit-${props.stepId}`}
                    value={editing.value}
                    rows={8}
                    onInput={(event) => (editing.value = event.currentTarget.value)}
                  />
                  <div class="actions">
                    <button
                      type="button"
                      class="primary"
                      disabled={props.busy || !editing.value.trim()}
                      onClick={() => {
                        intent({ action: "edit", text: editing.value ?? "" });
                        editing.value = undefined;
                      }}
                    >
                      Save edit
                    </button>
                    <button type="button" onClick={() => (editing.value = undefined)}>
                      Cancel edit
                    </button>
                  </div>
                </div>
              )
              : null}
            {props.allowFeedback
              ? (
                <div class="field">
                  <label for={`feedback-${props.stepId}`}>
                    Feedback for the next generation{" "}
                    {props.focus ? <span class="kbd">f</span> : null}
                  </label>
                  <textarea
                    id={`feedback-${props.stepId}`}
                    placeholder="What should change? Ctrl+Enter sends and regenerates."
                    value={feedback.value}
                    onInput={(event) => (feedback.value = event.currentTarget.value)}
                    onKeyDown={(event) => {
                      if (
                        event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
                        feedback.value.trim()
                      ) {
                        event.preventDefault();
                        intent({ action: "feedback", text: feedback.value.trim() });
                        feedback.value = "";
                      }
                      if (event.key === "Escape") event.currentTarget.blur();
                    }}
                  />
                </div>
              )
              : null}
            <div class="actions">
              {props.allowFeedback
                ? (
                  <button
                    type="button"
                    class="primary"
                    disabled={props.busy || !feedback.value.trim() ||
                      why("regenerate") !== undefined}
                    title={why("regenerate")}
                    onClick={() => {
                      intent({ action: "feedback", text: feedback.value.trim() });
                      feedback.value = "";
                    }}
                  >
                    Send feedback &amp; regenerate
                  </button>
                )
                : null}
              <button
                type="button"
                disabled={props.busy || why("regenerate") !== undefined}
                title={why("regenerate")}
                onClick={() => intent({ action: "regenerate" })}
              >
                Regenerate{props.focus
                  ? (
                    <>
                      <span class="kbd">r</span>
                    </>
                  )
                  : null}
              </button>
              <button
                type="button"
                disabled={props.busy || ticked.value.length < 2 || why("merge") !== undefined}
                title={why("merge") ?? "Tick two or more candidates to merge them"}
                onClick={() => {
                  intent({
                    action: "merge",
                    responseIds: [...ticked.value],
                    instructions: instructions.value.trim() || undefined,
                  });
                  ticked.value = [];
                }}
              >
                {`Merge ticked (${ticked.value.length})`}
              </button>
              <button
                type="button"
                disabled={ticked.value.length < 2 || ticked.value.length > 4}
                title={ticked.value.length > 4
                  ? "Compare takes up to four candidates"
                  : "Tick two to four candidates to compare them side by side"}
                onClick={() => (comparing.value = true)}
              >
                {`Compare ticked (${ticked.value.length})`}
              </button>
              <button
                type="button"
                disabled={props.busy || why("edit") !== undefined}
                title={why("edit")}
                onClick={() => (editing.value = step.selectedText ??
                  step.responses.at(-1)?.processedContent ?? "")}
              >
                Edit
              </button>
              {actionButton("skip", "Skip")}
              {actionButton("branch", "Branch from here")}
              {actionButton("rewind", "Rewind to here")}
            </div>
            {ticked.value.length >= 2
              ? (
                <div class="field">
                  <label for={`merge-${props.stepId}`}>Merge instructions (optional)</label>
                  <input
                    id={`merge-${props.stepId}`}
                    type="text"
                    value={instructions.value}
                    onInput={(event) => (instructions.value = event.currentTarget.value)}
                  />
                </div>
              )
              : null}
          </div>
        )
        : null}
    </details>
  );
}
