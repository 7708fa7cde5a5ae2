/**
 * The article as it stands: the text of the furthest step that has a
 * result (later steps rewrite earlier ones, so this is the newest whole
 * draft), rendered or as written, with its sections and their word counts
 * and the total. "Edit the article" edits that text in place; the edit is
 * saved as a candidate of that step (origin "edit"), selected, and the
 * steps that read it go stale.
 */
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import type { PipelineRun } from "../engine/run_model.ts";
import { allowedActions } from "../engine/run_session.ts";
import { markdownTree, nodeText } from "../engine/text/markdown_tree.ts";
import { MarkdownView, wordCount } from "./markdown_view.tsx";
import { textMode } from "./text_mode.ts";

/** Props of `ArticleView`. */
export interface ArticleViewProps {
  run: PipelineRun;
  stepNames: Record<string, string>;
  readOnly: boolean;
  busy: boolean;
  /** Shown open (else folded to its title line, while a step waits for the writer). */
  open: boolean;
  onEdit: (stepId: string, text: string) => void;
}

/** The step whose result is the article as it stands, if any step has one. */
export function articleStep(run: PipelineRun): string | undefined {
  for (let index = run.stepOrder.length - 1; index >= 0; index--) {
    const id = run.stepOrder[index];
    const step = run.steps[id];
    if (step?.status === "completed" && step.selectedText?.trim()) return id;
  }
  return undefined;
}

/** One section of the article: its heading (or "Opening" before the first) and words. */
export interface ArticleSection {
  heading: string;
  words: number;
}

/** The sections of `text` by its headings, with their words. */
export function articleSections(text: string): ArticleSection[] {
  const sections: ArticleSection[] = [];
  let current: ArticleSection = { heading: "Opening", words: 0 };
  for (const block of markdownTree(text)) {
    const level = /^h([1-6])$/.exec(block.tag)?.[1];
    if (level && level !== "1") {
      if (current.words > 0 || current.heading !== "Opening") sections.push(current);
      current = { heading: nodeText(block).trim(), words: 0 };
      continue;
    }
    if (level) continue; // the title
    current.words += wordCount(nodeText(block));
  }
  if (current.words > 0 || current.heading !== "Opening") sections.push(current);
  return sections;
}

/** The panel, or nothing while no step has a result. */
export function ArticleView(props: ArticleViewProps): JSX.Element | null {
  const editing = useSignal<string | undefined>(undefined);
  // Once the writer opens or folds it, that choice stands over the default.
  const expanded = useSignal<boolean | undefined>(undefined);
  const stepId = articleStep(props.run);
  if (!stepId) return null;
  const text = props.run.steps[stepId].selectedText!;
  const sections = articleSections(text);
  const total = wordCount(text);
  const permission = allowedActions(props.run, stepId).edit;
  const name = props.stepNames[stepId] ?? stepId;
  return (
    <details
      class="panel article"
      open={(expanded.value ?? props.open) || editing.value !== undefined}
      onToggle={(event) => (expanded.value = (event.currentTarget as HTMLDetailsElement).open)}
      data-testid="article"
    >
      <summary>
        <h2 id="article-heading">The article</h2>
        <span class="small muted">
          {`${total.toLocaleString("en-US")} words · from “${name}”`}
        </span>
      </summary>
      {editing.value !== undefined
        ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const edited = editing.value ?? "";
              editing.value = undefined;
              if (edited.trim() && edited !== text) props.onEdit(stepId, edited);
            }}
          >
            <label for="article-edit">{`The article (“${name}”), in Markdown`}</label>
            <textarea
              id="article-edit"
              rows={24}
              value={editing.value}
              onInput={(event) => (editing.value = event.currentTarget.value)}
            />
            <div class="actions">
              <button type="submit" class="primary" disabled={props.busy}>Save the article</button>
              <button type="button" onClick={() => (editing.value = undefined)}>Discard</button>
            </div>
          </form>
        )
        : (
          <>
            <div class="document">
              {textMode.value === "rendered"
                ? <MarkdownView text={text} />
                : <pre class="text">{text}</pre>}
            </div>
            {props.readOnly ? null : (
              <div class="actions">
                <button
                  type="button"
                  disabled={props.busy || !permission.allowed}
                  title={permission.allowed ? undefined : permission.why}
                  onClick={() => (editing.value = text)}
                >
                  Edit the article
                </button>
              </div>
            )}
          </>
        )}
      {sections.length > 1
        ? (
          <details>
            <summary class="small">{`Sections (${sections.length})`}</summary>
            <table class="sections">
              <caption class="sr-only">Sections and their words</caption>
              <tbody>
                {sections.map((section, index) => (
                  <tr key={index}>
                    <th scope="row">{section.heading}</th>
                    <td class="number">{`${section.words.toLocaleString("en-US")} words`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )
        : null}
    </details>
  );
}
