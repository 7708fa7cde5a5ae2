/**
 * The home page: the home's workspaces, the current workspace's recent runs
 * with status, tokens and cost, their totals, and the response cache's
 * statistics. Server-rendered only: no JavaScript.
 */
import type { JSX } from "preact";
import type { RunSummary } from "../../engine/events/event_store.ts";
import { CacheStatsPanel } from "../../components/cache_stats_panel.tsx";
import { workspaceHref } from "../../components/page_shell.tsx";
import { Island } from "../../components/island.tsx";
import { RunsTable } from "../../islands/runs_table.tsx";
import type { CacheStatsReport } from "../../server/workspace_hub.ts";
import { formatCost, formatTokens } from "../../islands/format.ts";

/** What the home page shows. */
export interface HomePageProps {
  workspace: string;
  defaultWorkspace: string;
  workspaces: string[];
  runs: RunSummary[];
  cache: CacheStatsReport | undefined;
}

/** The page body. */
export function HomePage(props: HomePageProps): JSX.Element {
  const tokens = props.runs.reduce((sum, run) => sum + run.usage.totalTokens, 0);
  const cost = props.runs.reduce((sum, run) => sum + run.usage.costUsd, 0);
  const active =
    props.runs.filter((run) =>
      run.status === "running" || run.status === "paused" || run.status === "initializing"
    ).length;
  return (
    <>
      <h1>Workspace “{props.workspace}”</h1>
      <div class="grid">
        <section class="panel" aria-labelledby="workspaces-heading">
          <h2 id="workspaces-heading">Workspaces</h2>
          <ul>
            {props.workspaces.map((name) => (
              <li>
                <a
                  href={workspaceHref("/", name)}
                  aria-current={name === props.workspace ? "page" : undefined}
                >
                  {name}
                </a>
                {name === props.defaultWorkspace ? " " : null}
                {name === props.defaultWorkspace
                  ? <span class="muted small">(default)</span>
                  : null}
              </li>
            ))}
          </ul>
        </section>
        <section class="panel" aria-labelledby="totals-heading">
          <h2 id="totals-heading">Recent activity</h2>
          <dl class="stats">
            <div>
              <dt>Runs shown</dt>
              <dd>{props.runs.length}</dd>
            </div>
            <div>
              <dt>Active</dt>
              <dd>{active}</dd>
            </div>
            <div>
              <dt>Tokens</dt>
              <dd>{formatTokens(tokens)}</dd>
            </div>
            <div>
              <dt>Cost</dt>
              <dd>{formatCost(cost)}</dd>
            </div>
          </dl>
          <p>
            <a class="button" href={workspaceHref("/pipelines", props.workspace)}>
              Start a run from a pipeline
            </a>
          </p>
        </section>
        <section class="panel" aria-labelledby="cache-heading">
          <h2 id="cache-heading">Response cache</h2>
          <CacheStatsPanel stats={props.cache} />
        </section>
      </div>
      <section class="panel" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Recent runs</h2>
        <Island
          name="RunsTable"
          component={RunsTable}
          props={{
            runs: props.runs,
            workspace: props.workspace,
            caption: "Recent runs",
            limit: 15,
          }}
        />
        {props.runs.length > 0
          ? (
            <p>
              <a href={workspaceHref("/runs", props.workspace)}>All runs</a>
            </p>
          )
          : null}
      </section>
    </>
  );
}
