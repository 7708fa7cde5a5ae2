/**
 * Every run of the workspace, newest first, filtered by status and
 * pipeline with a plain GET form (works without JavaScript).
 */
import type { JSX } from "preact";
import type { RunSummary } from "../../engine/events/event_store.ts";
import { RUN_STATUSES } from "../../engine/run_status.ts";
import { Island } from "../../components/island.tsx";
import { RunsTable } from "../../islands/runs_table.tsx";

/** What the runs page shows. */
export interface RunsPageProps {
  workspace: string;
  runs: RunSummary[];
  status?: string;
  pipeline?: string;
  /** The text searched for, if any. */
  query?: string;
  pipelines: string[];
}

/** The page body. */
export function RunsPage(props: RunsPageProps): JSX.Element {
  return (
    <>
      <h1>Runs</h1>
      <form class="panel actions" method="get" action="/runs" aria-label="Filter runs">
        <input type="hidden" name="workspace" value={props.workspace} />
        <div>
          <label for="filter-q">Search</label>
          <input
            id="filter-q"
            name="q"
            type="search"
            maxLength={200}
            placeholder="words in titles, inputs, candidates"
            value={props.query ?? ""}
          />
        </div>
        <div>
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <option value="">any</option>
            {RUN_STATUSES.map((status) => (
              <option value={status} selected={status === props.status}>{status}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="filter-pipeline">Pipeline</label>
          <select id="filter-pipeline" name="pipeline">
            <option value="">any</option>
            {props.pipelines.map((name) => (
              <option value={name} selected={name === props.pipeline}>{name}</option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      <section class="panel">
        <Island
          name="RunsTable"
          component={RunsTable}
          props={{
            runs: props.runs,
            workspace: props.workspace,
            caption: "Runs",
            filter: { status: props.status, pipeline: props.pipeline, query: props.query },
          }}
        />
      </section>
    </>
  );
}
