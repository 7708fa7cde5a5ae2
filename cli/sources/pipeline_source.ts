/**
 * What `writeit pipeline list|show|validate` reads, in either mode: the
 * workspace, global and bundled libraries (cli/sources/local_pipeline_source.ts)
 * or a server's workspace through its REST API
 * (cli/remote/remote_pipeline_source.ts).
 */
import type { ValidationIssue } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { PipelineListRow, ValidationResult } from "../pipeline_view.ts";

/** A valid pipeline with where it comes from. */
export interface ShownPipeline {
  pipeline: Pipeline;
  origin: string;
  /** Where it comes from, as `pipeline show` names it. */
  source: string;
  issues: ValidationIssue[];
}

/** The pipelines a workspace can run. */
export interface PipelineSource {
  list(): Promise<PipelineListRow[]>;
  /** The pipeline `name` names; a ValidationError when it is invalid. */
  show(name: string): Promise<ShownPipeline>;
  /** Checks each target: a pipeline name or a file path. */
  validate(targets: string[]): Promise<ValidationResult[]>;
}
