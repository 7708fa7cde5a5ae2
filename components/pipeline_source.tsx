/**
 * A pipeline's YAML with line numbers and every validation issue shown in
 * place: under the line it points at (or at the top when it has no line),
 * marked error or warning, with the suggested fix. The list of issues links
 * to the lines.
 */
import type { JSX } from "preact";
import type { ValidationIssue } from "../engine/errors.ts";

/** Props of `PipelineSource`. */
export interface PipelineSourceProps {
  text: string;
  issues: ValidationIssue[];
}

/** One issue as a sentence: "error at steps.plan (line 42:7): message — try …". */
export function IssueText({ issue }: { issue: ValidationIssue }): JSX.Element {
  const where = [
    issue.path ? issue.path : "",
    issue.line ? `line ${issue.line}${issue.column ? `:${issue.column}` : ""}` : "",
  ].filter(Boolean).join(", ");
  return (
    <span class={`issue-${issue.severity}`}>
      <strong>{issue.severity}</strong>
      {where ? <span class="muted">{` (${where})`}</span> : null}: {issue.message}
      {issue.suggestion ? <em>{` — suggestion: ${issue.suggestion}`}</em> : null}
    </span>
  );
}

/** The source listing. */
export function PipelineSource({ text, issues }: PipelineSourceProps): JSX.Element {
  const lines = text.replace(/\n$/, "").split("\n");
  const byLine = new Map<number, ValidationIssue[]>();
  const unplaced: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.line && issue.line >= 1 && issue.line <= lines.length) {
      byLine.set(issue.line, [...(byLine.get(issue.line) ?? []), issue]);
    } else unplaced.push(issue);
  }
  return (
    <div class="source" role="region" aria-label="Pipeline source">
      {unplaced.map((issue) => (
        <div class="issue-note" role="note">
          <IssueText issue={issue} />
        </div>
      ))}
      {lines.map((line, index) => {
        const here = byLine.get(index + 1);
        return (
          <>
            <div class={here ? "line has-issue" : "line"} id={`L${index + 1}`}>
              <span class="line-number" aria-hidden="true">{index + 1}</span>
              <span>{line}</span>
            </div>
            {here?.map((issue) => (
              <div class="issue-note" role="note">
                <IssueText issue={issue} />
              </div>
            ))}
          </>
        );
      })}
    </div>
  );
}

/** Issues whose path is `prefix` or lies under it. */
export function issuesUnder(issues: ValidationIssue[], prefix: string): ValidationIssue[] {
  return issues.filter((issue) => issue.path === prefix || issue.path.startsWith(`${prefix}.`));
}
