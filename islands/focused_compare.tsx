/**
 * Focused compare: two to four ticked candidates of a step side by side at
 * full height, rendered (or as written), scrolling together, each after the
 * first with its word diff against the first a click away. Any paragraph
 * can be taken into an edit draft ("Take"), which is saved as a hand edit
 * of the step (a candidate of origin "edit") with no model call.
 */
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { JSX } from "preact";
import type { AIResponse } from "../engine/run_model.ts";
import { DiffText } from "./compare_view.tsx";
import { inline, MarkdownView, wordCount } from "./markdown_view.tsx";
import { textMode } from "./text_mode.ts";

/** Props of `FocusedCompare`. */
export interface FocusedCompareProps {
  stepName: string;
  /** The candidates, in the order they were ticked, each with its number in the step. */
  candidates: Array<{ response: AIResponse; number: number }>;
  canEdit: boolean;
  busy: boolean;
  onSaveEdit: (text: string) => void;
  onClose: () => void;
}

/** The paragraphs (blocks) of a text as Markdown source, for taking one into an edit. */
export function paragraphsOf(text: string): string[] {
  return text.replace(/\r\n?/g, "\n").split(/\n{2,}/).map((part) => part.trim()).filter(Boolean);
}

/** The panel. */
export function FocusedCompare(props: FocusedCompareProps): JSX.Element {
  const draft = useSignal<string | undefined>(undefined);
  const diffing = useSignal(false);
  const columns = useRef<HTMLDivElement[]>([]);
  const syncing = useRef(false);
  const first = props.candidates[0]?.response.processedContent ?? "";
  const onScroll = (from: number) => {
    if (syncing.current) return;
    const source = columns.current[from];
    if (!source) return;
    const ratio = source.scrollTop / Math.max(1, source.scrollHeight - source.clientHeight);
    syncing.current = true;
    columns.current.forEach((column, index) => {
      if (index !== from && column) {
        column.scrollTop = ratio * (column.scrollHeight - column.clientHeight);
      }
    });
    requestAnimationFrame(() => (syncing.current = false));
  };
  const take = (paragraph: string) => {
    draft.value = draft.value ? `${draft.value.trimEnd()}\n\n${paragraph}` : paragraph;
  };
  return (
    <section
      class="panel focused-compare"
      aria-label={`Compare candidates of ${props.stepName}`}
      data-testid="focused-compare"
    >
      <div class="actions">
        <h3>{`Comparing ${props.candidates.map((candidate) => candidate.number).join(", ")}`}</h3>
        {props.candidates.length > 1
          ? (
            <label class="checkbox">
              <input
                type="checkbox"
                checked={diffing.value}
                onChange={(event) => (diffing.value = event.currentTarget.checked)}
              />
              {`Word diff against ${props.candidates[0].number}`}
            </label>
          )
          : null}
        <button type="button" onClick={props.onClose}>Close compare</button>
      </div>
      <div
        class="compare-columns"
        style={{ gridTemplateColumns: `repeat(${props.candidates.length}, minmax(0, 1fr))` }}
      >
        {props.candidates.map(({ response, number }, index) => (
          <div
            key={response.responseId}
            class="compare-column"
            ref={(element) => {
              if (element) columns.current[index] = element;
            }}
            onScroll={() => onScroll(index)}
            data-testid="compare-column"
          >
            <h4>
              {`Candidate ${number} · ${response.modelName} · ${
                wordCount(response.processedContent).toLocaleString("en-US")
              } words`}
            </h4>
            {diffing.value && index > 0
              ? <DiffText before={first} after={response.processedContent} />
              : props.canEdit
              ? paragraphsOf(response.processedContent).map((paragraph, at) => (
                <div class="take" key={at}>
                  {textMode.value === "rendered"
                    ? <MarkdownView text={paragraph} />
                    : <p class="text">{paragraph}</p>}
                  <button
                    type="button"
                    class="small"
                    aria-label={`Take paragraph ${at + 1} of candidate ${number} into the edit`}
                    onClick={() =>
                      take(paragraph)}
                  >
                    Take
                  </button>
                </div>
              ))
              : textMode.value === "rendered"
              ? <MarkdownView text={response.processedContent} />
              : <p class="text">{response.processedContent}</p>}
          </div>
        ))}
      </div>
      {draft.value !== undefined
        ? (
          <div class="field">
            <label for="compare-draft">
              {`Your edit of “${props.stepName}” (${wordCount(draft.value)} words)`}
            </label>
            <textarea
              id="compare-draft"
              rows={10}
              value={draft.value}
              onInput={(event) => (draft.value = event.currentTarget.value)}
            />
            <div class="actions">
              <button
                type="button"
                class="primary"
                disabled={props.busy || !draft.value.trim()}
                onClick={() => {
                  props.onSaveEdit(draft.value ?? "");
                  draft.value = undefined;
                }}
              >
                Save as an edit
              </button>
              <button type="button" onClick={() => (draft.value = undefined)}>Discard</button>
            </div>
          </div>
        )
        : null}
      <p class="small muted">
        {inline("Tick candidates to add or remove them; *Take* puts a paragraph into your edit.")}
      </p>
    </section>
  );
}
