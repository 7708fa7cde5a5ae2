/**
 * Word-level comparison of two texts: two candidates of this run (any steps,
 * any generations, merges and edits included), or this run against another
 * branch of its family, step by step or the whole document. Added words are
 * marked `<ins>`, removed ones `<del>`, with counts.
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import type { PipelineRun } from "../engine/run_model.ts";
import { shortId } from "./format.ts";
import { diffStats, wordDiff } from "../engine/text/word_diff.ts";
import { generationNumber } from "../engine/generation_number.ts";

/** Another run of the family, to compare against. */
export interface RelatedRun {
  runId: string;
  label: string;
}

/** Props of `CompareView`. */
export interface CompareViewProps {
  run: PipelineRun;
  related: RelatedRun[];
  /** Loads another run (for branch comparisons). */
  loadRun: (runId: string) => Promise<PipelineRun>;
}

interface Option {
  id: string;
  label: string;
  text: string;
}

function candidateOptions(run: PipelineRun): Option[] {
  return run.stepOrder.flatMap((stepId) =>
    (run.steps[stepId]?.responses ?? []).map((response) => ({
      id: response.responseId,
      label: `${stepId} · ${response.modelName} #${response.candidateIndex + 1} · gen ${
        generationNumber(response.generation)
      }${response.origin === "model" ? "" : ` · ${response.origin}`}`,
      text: response.processedContent,
    }))
  );
}

function documentText(run: PipelineRun, stepId: string): string {
  if (stepId !== "*") return run.steps[stepId]?.selectedText ?? "";
  return run.stepOrder.map((id) => run.steps[id]?.selectedText ?? "").filter(Boolean).join("\n\n");
}

/** Renders the diff of two texts. */
export function DiffText({ before, after }: { before: string; after: string }): JSX.Element {
  const parts = wordDiff(before, after, { timeoutMs: 250 });
  const stats = diffStats(parts);
  return (
    <>
      <p class="small muted" data-testid="diff-stats">
        {`${stats.added} word${stats.added === 1 ? "" : "s"} added, ${stats.removed} removed`}
      </p>
      <div class="diff panel" data-testid="diff">
        {parts.map((part, index) =>
          part.kind === "added"
            ? <ins key={index}>{part.text}</ins>
            : part.kind === "removed"
            ? <del key={index}>{part.text}</del>
            : <span key={index}>{part.text}</span>
        )}
      </div>
    </>
  );
}

/** The compare panel. */
export function CompareView({ run, related, loadRun }: CompareViewProps): JSX.Element {
  const mode = useSignal<"candidates" | "branches">("candidates");
  const options = candidateOptions(run);
  const left = useSignal(options[0]?.id ?? "");
  const right = useSignal(options[1]?.id ?? "");
  const other = useSignal(related[0]?.runId ?? "");
  const otherRun = useSignal<PipelineRun | undefined>(undefined);
  const step = useSignal("*");
  const problem = useSignal("");

  const chooseOther = async (runId: string) => {
    other.value = runId;
    otherRun.value = undefined;
    problem.value = "";
    if (!runId) return;
    try {
      otherRun.value = await loadRun(runId);
    } catch (error) {
      problem.value = `Could not load run ${runId}: ${
        error instanceof Error ? error.message : error
      }`;
    }
  };

  const a = options.find((option) => option.id === left.value) ?? options[0];
  const b = options.find((option) => option.id === right.value) ?? options[1];
  return (
    <section class="panel" aria-labelledby="compare-heading" data-testid="compare">
      <h2 id="compare-heading">Compare</h2>
      <div class="actions" role="radiogroup" aria-label="What to compare">
        <label class="checkbox">
          <input
            type="radio"
            name="compare-mode"
            checked={mode.value === "candidates"}
            onChange={() => (mode.value = "candidates")}
          />
          two candidates
        </label>
        <label class="checkbox">
          <input
            type="radio"
            name="compare-mode"
            checked={mode.value === "branches"}
            disabled={related.length === 0}
            onChange={() => {
              mode.value = "branches";
              if (other.value && !otherRun.value) chooseOther(other.value);
            }}
          />
          this run and another branch{related.length === 0 ? " (no branches yet)" : ""}
        </label>
      </div>
      {mode.value === "candidates"
        ? (
          options.length < 2 ? <p class="muted">Two candidates are needed to compare.</p> : (
            <>
              <div class="diff-pickers">
                <div>
                  <label for="compare-left">From</label>
                  <select
                    id="compare-left"
                    value={a?.id}
                    onChange={(event) => (left.value = event.currentTarget.value)}
                  >
                    {options.map((option) => (
                      <option key={option.id} value={option.id}>{option.label}</option>
                    ))}
                  </select>
                </div>
                <div>
                  <label for="compare-right">To</label>
                  <select
                    id="compare-right"
                    value={b?.id}
                    onChange={(event) => (right.value = event.currentTarget.value)}
                  >
                    {options.map((option) => (
                      <option key={option.id} value={option.id}>{option.label}</option>
                    ))}
                  </select>
                </div>
              </div>
              {a && b ? <DiffText before={a.text} after={b.text} /> : null}
            </>
          )
        )
        : (
          <>
            <div class="diff-pickers">
              <div>
                <label for="compare-branch">Other run</label>
                <select
                  id="compare-branch"
                  value={other.value}
                  onChange={(event) => chooseOther(event.currentTarget.value)}
                >
                  {related.map((item) => (
                    <option value={item.runId}>{`${shortId(item.runId)} ${item.label}`}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="compare-step">Text</label>
                <select
                  id="compare-step"
                  value={step.value}
                  onChange={(event) => (step.value = event.currentTarget.value)}
                >
                  <option value="*">whole document (selected text of every step)</option>
                  {run.stepOrder.map((id) => <option key={id} value={id}>{`step ${id}`}</option>)}
                </select>
              </div>
            </div>
            {problem.value ? <p class="alert" role="alert">{problem.value}</p> : null}
            {otherRun.value
              ? (
                <DiffText
                  before={documentText(otherRun.value, step.value)}
                  after={documentText(run, step.value)}
                />
              )
              : <p class="muted small">Choose a run to compare with.</p>}
          </>
        )}
    </section>
  );
}
