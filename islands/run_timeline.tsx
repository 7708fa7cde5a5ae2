/**
 * The event timeline of a run: every stored event in order, with a slider
 * to travel to any sequence. Moving the slider shows the run as it was right
 * after that event (the page re-reads `GET /api/runs/{id}?at=N`); "Back to
 * live" returns to the present. Events after the chosen point are dimmed.
 */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { formatTime } from "./format.ts";
import { generationLabel } from "../engine/generation_number.ts";

/** One event in a few words: "plan: candidate from offline #1". */
export function describeEvent(event: EventEnvelope): string {
  const data = event.data as Record<string, unknown>;
  const step = typeof data.stepId === "string" ? `${data.stepId}: ` : "";
  switch (event.type) {
    case "run_created":
      return `run created from ${String(data.pipelineId)}`;
    case "step_started":
      return `${step}${generationLabel(Number(data.generation))} started (${
        (data.models as string[] | undefined)?.join(", ") ?? ""
      })`;
    case "step_response_generated": {
      const response = data.response as { modelName: string; candidateIndex: number };
      return `${step}candidate ${response.candidateIndex + 1} from ${response.modelName}`;
    }
    case "step_response_selected":
      return `${step}candidate selected`;
    case "step_feedback_added":
      return `${step}feedback “${String(data.text).slice(0, 60)}”`;
    case "step_retried":
      if (data.reason === "model") return `${step}asked again on the run's new model`;
      if (data.reason === "resume") return `${step}generation resumed`;
      return `${step}regenerate (${String(data.reason)})`;
    case "run_model_changed":
      return `run switched to ${String(data.model)}${
        data.previous ? ` (was ${String(data.previous)})` : ""
      }`;
    case "step_failed":
      return `${step}failed: ${String(data.error).slice(0, 80)}`;
    case "step_completed":
      return `${step}completed`;
    case "step_responses_merged":
      return `${step}candidates merged`;
    case "step_edited":
      return `${step}edited by hand`;
    case "step_skipped":
      return `${step}skipped`;
    case "steps_invalidated":
      return `stale: ${(data.stepIds as string[]).join(", ")}`;
    case "run_rewound":
      return `rewound to ${String(data.toStepId)}`;
    case "step_reopened":
      return `${step}candidates offered again`;
    case "run_branched":
      return `branched from ${String(data.parentRunId)} at ${
        String((data.branchPoint as { stepId: string }).stepId)
      }`;
    case "run_failed":
      return `run failed: ${String(data.error).slice(0, 80)}`;
    default:
      return event.type.replaceAll("_", " ");
  }
}

/** Props of `RunTimeline`. */
export interface RunTimelineProps {
  events: readonly EventEnvelope[];
  /** Newest sequence. */
  last: number;
  /** Sequence being viewed; undefined for live. */
  viewing?: number;
  loading: boolean;
  onView: (sequence: number | undefined) => void;
}

/** The timeline. */
export function RunTimeline(props: RunTimelineProps): JSX.Element {
  const value = props.viewing ?? props.last;
  const first = props.events.length ? props.events[0].sequence : 1;
  const viewed = props.events.find((event) => event.sequence === value);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const box = list.current;
    const current = box?.querySelector<HTMLElement>("li.current");
    if (!box || !current) return;
    box.scrollTop = current.offsetTop - box.clientHeight / 2;
  }, [value, props.events.length]);
  return (
    <section class="panel timeline" aria-labelledby="timeline-heading" data-testid="timeline">
      <h2 id="timeline-heading">Timeline</h2>
      <label for="timeline-slider">
        {props.viewing === undefined
          ? `Live: event ${props.last} of ${props.last}`
          : `Showing the run as it was after event ${value} of ${props.last}`}
        {viewed ? <span class="muted small">{` — ${describeEvent(viewed)}`}</span> : null}
      </label>
      <input
        id="timeline-slider"
        type="range"
        min={Math.min(first, props.last)}
        max={props.last}
        step={1}
        value={value}
        aria-valuetext={`event ${value} of ${props.last}`}
        onInput={(event) => {
          const next = Number(event.currentTarget.value);
          props.onView(next >= props.last ? undefined : next);
        }}
      />
      <div class="actions">
        <button
          type="button"
          disabled={props.viewing === undefined}
          onClick={() => props.onView(undefined)}
        >
          Back to live
        </button>
        {props.loading ? <span class="small muted" role="status">loading…</span> : null}
      </div>
      <ol aria-label="Events" ref={list}>
        {props.events.map((event) => (
          <li
            key={event.sequence}
            class={event.sequence === value
              ? "current"
              : event.sequence > value
              ? "future"
              : undefined}
            aria-current={event.sequence === value ? "step" : undefined}
          >
            <button
              type="button"
              class="sequence"
              style="border:none;background:none;padding:0;color:inherit"
              aria-label={`Show the run after event ${event.sequence}`}
              onClick={() =>
                props.onView(event.sequence >= props.last ? undefined : event.sequence)}
            >
              {event.sequence}
            </button>
            <span>{describeEvent(event)}</span>
            <span class="muted hide-narrow">{formatTime(event.time)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
