/**
 * What `writeit workspace list` reads, in either mode: the WriteIt home's
 * workspaces (`*` the active one) or a server home's (`*` its default one,
 * the workspace its unscoped routes use).
 */

/** One row of `workspace list`; the JSON output prints the rows as they are. */
export interface WorkspaceRow {
  name: string;
  /** The active workspace here; the server's default one with `--server`. */
  active: boolean;
  description?: string | null;
  createdAt?: string | null;
}

/** The workspaces of a home. */
export interface WorkspaceSource {
  list(): Promise<WorkspaceRow[]> | WorkspaceRow[];
}
