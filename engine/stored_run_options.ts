/**
 * The run options a run records in `run_created.options` (the normalized
 * pipeline, auto-select, model override, responses per model, style hash),
 * so a resume in another process needs only the run id.
 */
import type { Pipeline } from "./pipeline_schema.ts";

/** Run options recorded in `run_created.options`. */
export interface StoredRunOptions {
  /** The normalized pipeline the run was created with. */
  pipeline: Pipeline;
  autoSelect?: boolean;
  /** With no valid candidate, auto-selection takes the first anyway. */
  acceptInvalid?: boolean;
  modelOverride?: string;
  responses?: number;
  /** Content hash of the style primer the run started with. */
  styleHash?: string;
}
