/**
 * A table of runs (RunSummary rows) that stays current: each run by its
 * title (or id) linking to its page, pipeline, status ("waiting for you"
 * apart from generating), steps done, tokens, cost and last update. In the
 * browser it follows `GET /api/runs/live` (Server-Sent Events): a new run
 * appears at the top, a changed one updates in place, one that no longer
 * matches the page's filter leaves. On a phone each run is a card of
 * labelled values instead of a row, so no column is cut off.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { JSX } from "preact";
import { runStatusLabel } from "../engine/run_status.ts";
import type { RunSummary } from "../engine/events/event_store.ts";
import { formatCost, formatTime, formatTokens, shortId, workspaceHref } from "./format.ts";
import { StatusBadge } from "./status_badge.tsx";

/** Props of `RunsTable`. */
export interface RunsTableProps {
  runs: RunSummary[];
  workspace: string;
  caption: string;
  /** Rows the list keeps (default 200). */
  limit?: number;
  /** The page's filter: runs that do not match stay out. */
  filter?: { status?: string; pipeline?: string; query?: string };
}

/** Whether `run` belongs in a list filtered by `filter`. */
export function matchesFilter(run: RunSummary, filter: RunsTableProps["filter"]): boolean {
  if (filter?.status && run.status !== filter.status) return false;
  if (filter?.pipeline && run.pipelineId !== filter.pipeline) return false;
  return true;
}

/** `rows` with `changed` folded in: updated in place, added on top, or removed when filtered out. */
export function withRun(
  rows: RunSummary[],
  changed: RunSummary,
  options: { filter?: RunsTableProps["filter"]; limit: number },
): RunSummary[] {
  const rest = rows.filter((row) => row.runId !== changed.runId);
  if (!matchesFilter(changed, options.filter)) return rest;
  const index = rows.findIndex((row) => row.runId === changed.runId);
  // A search's results are what matched when the page was read: new runs are not searched here.
  if (index < 0) {
    return options.filter?.query ? rows : [changed, ...rest].slice(0, options.limit);
  }
  const next = [...rows];
  next[index] = { ...changed, ...(rows[index].match ? { match: rows[index].match } : {}) };
  return next;
}

/** The table, or a hint when there are no runs. */
export function RunsTable(props: RunsTableProps): JSX.Element {
  const rows = useSignal(props.runs);
  const live = useSignal(false);
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const path = props.workspace
      ? `/api/workspaces/${encodeURIComponent(props.workspace)}/runs/live`
      : "/api/runs/live";
    const source = new EventSource(path);
    source.onopen = () => (live.value = true);
    source.onerror = () => (live.value = false);
    source.addEventListener("run", (message) => {
      const summary = JSON.parse((message as MessageEvent<string>).data) as RunSummary;
      rows.value = withRun(rows.value, summary, {
        filter: props.filter,
        limit: props.limit ?? 200,
      });
    });
    return () => source.close();
  }, []);
  const runs = rows.value;
  const workspace = props.workspace;
  const filter = props.filter ?? {};
  const asked = [
    filter.query ? `“${filter.query}”` : "",
    filter.status ? `status ${filter.status}` : "",
    filter.pipeline ? `pipeline ${filter.pipeline}` : "",
  ].filter(Boolean);
  if (runs.length === 0 && asked.length > 0) {
    return (
      <p class="muted" data-live={live.value ? "true" : undefined}>
        {`No run matches ${asked.join(", ")}: `}
        <a href={workspaceHref("/runs", workspace)}>see every run</a>.
      </p>
    );
  }
  if (runs.length === 0) {
    return (
      <p class="muted" data-live={live.value ? "true" : undefined}>
        No runs yet: open a <a href={workspaceHref("/pipelines", workspace)}>pipeline</a>{" "}
        and start one.
      </p>
    );
  }
  return (
    <div class="table-wrap" data-live={live.value ? "true" : undefined}>
      <table class="stack">
        <caption class="sr-only">{props.caption}</caption>
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
        <tbody aria-live="polite">
          {runs.map((run) => (
            <tr key={run.runId} data-run-id={run.runId} data-status={run.status}>
              <td>
                <a href={workspaceHref(`/runs/${encodeURIComponent(run.runId)}`, workspace)}>
                  {run.title ?? <span class="mono">{shortId(run.runId)}</span>}
                </a>
                <span class="muted small mono" title={run.runId}>
                  {` ${run.title ? shortId(run.runId) : ""}${
                    run.parentRunId ? `${run.title ? " · " : ""}branch` : ""
                  }`}
                </span>
                {run.match
                  ? (
                    <span class="small match" data-testid="match">
                      <span class="muted">{`${run.match.where}: `}</span>
                      {run.match.snippet}
                    </span>
                  )
                  : null}
              </td>
              <td data-label="Pipeline">{run.pipelineId}</td>
              <td data-label="Status">
                <StatusBadge status={run.status} text={runStatusLabel(run)} />
              </td>
              <td class="number" data-label="Steps">{`${run.doneSteps}/${run.stepCount}`}</td>
              <td class="number" data-label="Tokens">
                {formatTokens(run.usage.totalTokens)}
                {run.usage.estimated ? <span title="estimated">~</span> : null}
              </td>
              <td class="number" data-label="Cost">{formatCost(run.usage.costUsd)}</td>
              <td class="small" data-label="Updated">{formatTime(run.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
