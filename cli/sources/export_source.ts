/**
 * What `writeit export` needs, in either mode: the run a text names and its
 * rendered document, from the workspace with its layouts
 * (cli/sources/local_export_source.ts) or from a server, which renders with
 * its workspace's layouts (cli/remote/remote_export_source.ts).
 */
import type { ExportFormat } from "../../engine/user_preferences.ts";

/** Renders the runs of one workspace as documents. */
export interface ExportSource {
  /** The format used when `--format` is not given. */
  defaultFormat(): Promise<string>;
  /** The full id of the run `text` names: the id itself or an unambiguous prefix. */
  resolve(text: string): Promise<string>;
  render(runId: string, options: { format: ExportFormat; history?: boolean }): Promise<string>;
}
