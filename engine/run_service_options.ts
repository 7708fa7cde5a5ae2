/**
 * The options of RunService (engine/run_service.ts): what a service is built
 * from (event store, model source, context, workspace, limits, leases) and
 * what each of its calls accepts. They live apart from the service so the
 * executor and its parts can read them without importing the service.
 */
import type { EngineContext } from "./context.ts";
import type { EventStore } from "./events/event_store.ts";
import type { PriceTable } from "./llm/price_table.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import type { RunLeases } from "./run_lease.ts";
import type { RunUpdate } from "./run_update.ts";
import type { StylePrimer } from "./style_primer.ts";

/** Where the engine gets models from (the LLM layer's factory satisfies it). */
export interface ModelSource {
  /** The model for one name (`gpt-4.1`, `offline:draft`, …), with the factory's middleware. */
  resolve(name: string): LanguageModel;
  /**
   * A model that tries `names` in order, moving on when a provider fails
   * (a step's `model_preference`). When absent, only the first name is used.
   */
  resolveChain?(names: string[]): LanguageModel;
  /** Prices of models, for estimates before a run (absent: estimates carry no cost). */
  readonly prices?: PriceTable;
  /** Which provider and model id a name means, without making the model (for prices). */
  identify?(name: string): { provider: string; modelId: string };
}

/** Concurrency limits of one service (one process). */
export interface RunServiceLimits {
  /** Model calls in flight at once, across every run (default 8). */
  maxConcurrentCalls?: number;
  /** Runs `advance`d at once; further calls wait their turn (default 4, preferences' maxConcurrentPipelines). */
  maxConcurrentRuns?: number;
}

/** What a RunService is built from. */
export interface RunServiceOptions {
  store: EventStore;
  models: ModelSource;
  context: EngineContext;
  /** Workspace name recorded on every run. */
  workspace: string;
  /** Looks up a style primer by id (a run's `styleId`, a step's or a pipeline's `style`). */
  styles?: (id: string) => StylePrimer | undefined;
  limits?: RunServiceLimits;
  /** Characters batched per chunk update (preferences' streamingBufferSize; default 1 = every chunk as it comes). */
  streamingBufferSize?: number;
  /** Model used by steps that name none (`defaults.model` missing); per step: `defaultModels`. */
  defaultModel?: string;
  /** Preferred model per step id (preferences' defaultModels), used when a step names none. */
  defaultModels?: Record<string, string>;
  /** Model for merges (default: the first model of the step being merged). */
  mergeModel?: string;
  /** Who acts, recorded in event metadata (`cli`, `api:<token>`; default "engine"). */
  actor?: string;
  /**
   * Run leases: one driver per run. Default: leases held in this process only;
   * pass a shared implementation when several processes drive runs.
   */
  leases?: RunLeases;
}

/** Options of `createRun`. */
export interface CreateRunOptions {
  /** Raw inputs (`--input k=v` values may be text: they are coerced by type). */
  inputs: Record<string, unknown>;
  /** Style primer id; default the pipeline's `defaults.style`. */
  styleId?: string;
  /** Replaces every step's models (`--model`). */
  modelOverride?: string;
  /** Candidates per model for every step (`--responses N`). */
  responses?: number;
  /** Recorded as the run's parent (a re-run of another run). */
  parentRunId?: string;
  /** Auto-select for every step of this run (`--yes`), remembered for resumes. */
  autoSelect?: boolean;
  /** Auto-selection takes the first candidate when none is valid (`--accept-invalid`), remembered for resumes. */
  acceptInvalid?: boolean;
}

/** Options of `advance`. */
export interface AdvanceOptions {
  /** Aborting stops cleanly: events written stay, interrupted generations are retried next time. */
  signal?: AbortSignal;
  /**
   * Pick the first candidate that passes validation for every step and go on
   * to completion (`--yes`). Steps with `auto_approve` and runs created with
   * `autoSelect` do so regardless. When no candidate of a step passes, the
   * run pauses at that step with the reason (`pausedStep`, `pauseReason`);
   * a step that only auto-approves waits for a choice instead.
   */
  autoSelect?: boolean;
  /** With no valid candidate, auto-selection takes the first anyway (`--accept-invalid`). */
  acceptInvalid?: boolean;
  /** Called with every event of the run and every streamed chunk while this call runs. */
  onUpdate?: (update: RunUpdate) => void;
}

/** Options every human action accepts. */
export interface ActionOptions {
  /** Who acts, for event metadata (default the service's actor). */
  actor?: string;
  /**
   * The run version the person decided on. When someone else decided
   * something since on the same step (or the run), the action is refused
   * with StaleActionError and nothing is written. Unset: no check.
   */
  basedOn?: number;
}

/** Options of `merge`. */
export interface MergeOptions extends ActionOptions {
  /** What the writer wants from the merge ("keep the intro of 1, the examples of 2"). */
  instructions?: string;
  /** Model to merge with (default the service's mergeModel, else the step's first model). */
  model?: string;
  signal?: AbortSignal;
  /** Streams the merge's chunks (candidateIndex = the merged candidate's index). */
  onUpdate?: (update: RunUpdate) => void;
}

/** Options of `branch`. */
export interface BranchOptions extends ActionOptions {
  /** The step the child re-runs from; it keeps the parent's results before it. */
  fromStepId: string;
}
