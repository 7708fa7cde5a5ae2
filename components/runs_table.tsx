/**
 * A table of runs (RunSummary rows): id linking to the run page, pipeline,
 * status, steps done, tokens, cost and last update. Scrolls sideways on
 * narrow screens instead of squeezing columns.
 */
import { runStatusLabel } from "../engine/run_status.ts";
import type { JSX } from "preact";
import type { RunSummary } from "../engine/events/event_store.ts";
import { formatCost, formatTime, formatTokens, shortId } from "../islands/format.ts";
import { workspaceHref } from "./page_shell.tsx";
import { StatusBadge } from "../islands/status_badge.tsx";

/** Props of `RunsTable`. */
export interface RunsTableProps {
  runs: RunSummary[];
  workspace: string;
  caption: string;
}

/** The table, or a hint when there are no runs. */
export function RunsTable({ runs, workspace, caption }: RunsTableProps): JSX.Element {
  if (runs.length === 0) {
    return (
      <p class="muted">
        No runs yet: open a <a href={workspaceHref("/pipelines", workspace)}>pipeline</a>{" "}
        and start one.
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Pipeline</th>
            <th scope="col">Status</th>
            <th scope="col" class="number">Steps</th>
            <th scope="col" class="number">Tokens</th>
            <th scope="col" class="number">Cost</th>
            <th scope="col" class="hide-narrow">Updated (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr data-run-id={run.runId}>
              <td>
                <a href={workspaceHref(`/runs/${encodeURIComponent(run.runId)}`, workspace)}>
                  <span class="mono" title={run.runId}>{shortId(run.runId)}</span>
                </a>
                {run.parentRunId ? <span class="muted small">branch</span> : null}
              </td>
              <td>{run.pipelineId}</td>
              <td>
                <StatusBadge status={run.status} text={runStatusLabel(run)} />
              </td>
              <td class="number">{`${run.doneSteps}/${run.stepCount}`}</td>
              <td class="number">
                {formatTokens(run.usage.totalTokens)}
                {run.usage.estimated ? <span title="estimated">~</span> : null}
              </td>
              <td class="number">{formatCost(run.usage.costUsd)}</td>
              <td class="hide-narrow small">{formatTime(run.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
