/**
 * What `writeit run` hands to the side that drives the run: this process
 * (cli/sources/local_run_launcher.ts, driving with cli/terminal/step_driver.ts)
 * or a server (cli/remote/remote_run_launcher.ts, following it with
 * cli/remote/run_follower.ts and, in a terminal, choosing through
 * cli/terminal/session_menu.ts).
 */

import type { RunEstimate } from "../../engine/run_estimate.ts";

/** A run as the command line asks for it, its options already checked. */
export interface RunRequest {
  /** Pipeline name, or a path to a YAML file locally. */
  pipeline: string;
  /** The inputs given with `--inputs FILE` and `--input key=value` (files and stdin read). */
  inputs: Record<string, unknown>;
  /** Where the inputs read from a file or standard input came from (`notes` → `"notes.md"`). */
  inputSources: Record<string, string>;
  responses?: number;
  model?: string;
  style?: string;
  yes: boolean;
  /** With no valid candidate, auto-selection takes the first anyway. */
  acceptInvalid: boolean;
  json: boolean;
  /** Whether the writer may be asked (a terminal, without `--yes` or `--json`). */
  interactive: boolean;
}

/** Starts a run and drives or follows it until it ends or waits. */
export interface RunLauncher {
  launch(request: RunRequest): Promise<void>;
  /** What the run would cost, per step and model, creating nothing (`--estimate`). */
  estimate(request: RunRequest): Promise<RunEstimate>;
}
