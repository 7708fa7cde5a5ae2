/**
 * The pipelines a workspace can run: its own, the home's and the bundled
 * ones, each with its title, description, steps, where it comes from and
 * whether it passes validation (with the number of problems).
 */
import type { JSX } from "preact";
import { workspaceHref } from "../../components/page_shell.tsx";

/** One row of the list. */
export interface PipelineRow {
  name: string;
  origin: string;
  title: string;
  description: string;
  steps: string[];
  errors: number;
  warnings: number;
}

/** What the pipelines page shows. */
export interface PipelinesPageProps {
  workspace: string;
  pipelines: PipelineRow[];
}

/** The page body. */
export function PipelinesPage({ workspace, pipelines }: PipelinesPageProps): JSX.Element {
  return (
    <>
      <h1>Pipelines</h1>
      {pipelines.length === 0
        ? <p class="muted">No pipelines found.</p>
        : (
          <div class="table-wrap panel">
            <table>
              <caption class="sr-only">Pipelines</caption>
              <thead>
                <tr>
                  <th scope="col">Pipeline</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Validation</th>
                  <th scope="col" class="hide-narrow">Origin</th>
                </tr>
              </thead>
              <tbody>
                {pipelines.map((row) => (
                  <tr data-pipeline={row.name}>
                    <td>
                      <a
                        href={workspaceHref(
                          `/pipelines/${encodeURIComponent(row.name)}`,
                          workspace,
                        )}
                      >
                        <strong>{row.title || row.name}</strong>
                      </a>{" "}
                      <span class="mono muted">{row.name}</span>
                      {row.description ? <div class="small muted">{row.description}</div> : null}
                    </td>
                    <td class="small">{row.steps.join(" → ")}</td>
                    <td>
                      {row.errors > 0
                        ? (
                          <span class="badge status-failed">
                            {`${row.errors} error${row.errors === 1 ? "" : "s"}`}
                          </span>
                        )
                        : <span class="badge status-completed">valid</span>}
                      {row.warnings > 0
                        ? (
                          <span class="small issue-warning">
                            {` ${row.warnings} warning${row.warnings === 1 ? "" : "s"}`}
                          </span>
                        )
                        : null}
                    </td>
                    <td class="hide-narrow small">{row.origin}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </>
  );
}
