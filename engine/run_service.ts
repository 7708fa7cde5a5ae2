/**
 * RunService: the one facade the CLI, the HTTP API and the dashboard call to
 * run pipelines. It creates runs, drives them (`advance`: every step whose
 * dependencies are done, independent steps concurrently under a global call
 * limit, until a human is needed or the run completes), records the human
 * actions (select, merge, edit, feedback, regenerate, skip, branch, rewind,
 * pause, resume, cancel) and fans out every stored event and every streamed
 * chunk to subscribers. Every fact goes through `decide` → `store.append`
 * with the expected version; a lost race is re-decided against fresh state.
 *
 * Action methods only record the decision; generation happens in `advance`.
 * A writer's "feedback then regenerate" is `addFeedback`, `regenerate`, then
 * `advance`.
 *
 * @example
 * ```ts
 * const service = new RunService({ store, models, context: systemContext(), workspace: "default" });
 * const run = await service.createRun(pipeline, { inputs: { topic: "CRDTs" } });
 * const done = await service.advance(run.runId, { autoSelect: true });
 * console.log(done.status, done.steps.polish.selectedText);
 * ```
 */
import type { RunFilter, RunSummary } from "./events/event_store.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import type { PipelineRun } from "./run_model.ts";
import { ConfigurationError } from "./errors.ts";
import { Executor } from "./executor.ts";
import { mergeCandidates } from "./merge_action.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide } from "./run_decider.ts";
import { validateResponse } from "./response_validation.ts";
import { type RunMatch, runMatch } from "./run_search.ts";
import { estimateRun, type RunEstimate } from "./run_estimate.ts";
import { candidateSets } from "./candidate_sets.ts";
import { cloneState } from "./run_evolve.ts";
import type {
  ActionOptions,
  AdvanceOptions,
  BranchOptions,
  CreateRunOptions,
  MergeOptions,
  RunServiceOptions,
} from "./run_service_options.ts";
import type { RunUpdate } from "./run_update.ts";
import { assertNotStale, type DecidedOn } from "./stale_action.ts";

/** Creates, drives and steers runs. */
export class RunService {
  readonly #executor: Executor;

  constructor(options: RunServiceOptions) {
    this.#executor = new Executor(options);
  }

  /**
   * Validates inputs (ValidationError listing every problem) and records a new
   * run (status initializing). The normalized pipeline is stored with the run,
   * so a resume in another process needs only the run id.
   */
  createRun(pipeline: Pipeline, options: CreateRunOptions): Promise<PipelineRun> {
    return this.#executor.createRun(pipeline, options);
  }

  /**
   * Runs every step whose dependencies are done, until a step awaits a human
   * (`awaiting_selection`), the run completes, fails, is paused or cancelled,
   * or `signal` aborts. Re-runs stale steps and finishes interrupted
   * generations. Throws ConflictError (code "run_leased") when another driver
   * holds the run. Returns the run's state.
   */
  advance(runId: string, options: AdvanceOptions = {}): Promise<PipelineRun> {
    return this.#executor.advance(runId, options);
  }

  /**
   * Picks a candidate (0-based index into `steps[stepId].responses`, or a
   * responseId) and completes the step. Later steps that already ran become
   * stale when the selected text changed.
   */
  select(
    runId: string,
    stepId: string,
    choice: number | string,
    options: ActionOptions = {},
  ): Promise<PipelineRun> {
    return this.#act(runId, options, stepId, (state) => {
      const select: RunCommand = typeof choice === "number"
        ? { type: "selectResponse", stepId, index: choice }
        : { type: "selectResponse", stepId, responseId: choice };
      return isDone(state, stepId) ? [select] : [select, ...completing(stepId)];
    });
  }

  /** Completes the step with its current selection, merge or edit. */
  accept(runId: string, stepId: string, options: ActionOptions = {}): Promise<PipelineRun> {
    return this.#act(runId, options, stepId, () => completing(stepId));
  }

  /**
   * Merges two or more candidates with an LLM (engine/merge_prompt.ts): the
   * result is a new candidate of origin "merge", selected but not yet
   * accepted (call `select`/`accept` to go on).
   */
  async merge(
    runId: string,
    stepId: string,
    responseIds: string[],
    options: MergeOptions = {},
  ): Promise<PipelineRun> {
    await this.#assertCurrent(runId, options, stepId);
    return mergeCandidates(this.#executor, { runId, stepId, responseIds }, options);
  }

  /** Replaces the step's result with hand-written text and completes the step. */
  edit(
    runId: string,
    stepId: string,
    text: string,
    options: ActionOptions = {},
  ): Promise<PipelineRun> {
    return this.#act(runId, options, stepId, (state) => {
      const pipeline = this.#executor.pipelineOfState(state);
      const rules = pipeline.steps.find((spec) => spec.id === stepId)?.validation;
      const validation = validateResponse(text, rules);
      const edit: RunCommand = { type: "editStep", stepId, text, validation };
      return isDone(state, stepId) ? [edit] : [edit, ...completing(stepId)];
    });
  }

  /** Adds feedback for the step's next generation (it accumulates). */
  addFeedback(
    runId: string,
    stepId: string,
    text: string,
    options: ActionOptions = {},
  ): Promise<PipelineRun> {
    return this.#act(runId, options, stepId, () => [{ type: "addFeedback", stepId, text }]);
  }

  /**
   * Asks for a new generation of the step (new candidates, not the cached
   * ones); reason "feedback" when feedback was just given. `advance` generates.
   */
  regenerate(
    runId: string,
    stepId: string,
    options: ActionOptions & { reason?: "regenerate" | "feedback" } = {},
  ): Promise<PipelineRun> {
    return this.#act(runId, options, stepId, (state) => {
      const reason = options.reason ??
        ((state.steps[stepId]?.feedback ?? []).some((feedback) =>
            feedback.generation === state.steps[stepId].generation
          )
          ? "feedback"
          : "regenerate");
      return [{ type: "regenerateStep", stepId, reason }];
    });
  }

  /**
   * Rates a candidate up or down ("none" takes the rating back) with an
   * optional note; kept as an event, exported with the run, changing nothing else.
   */
  rate(
    runId: string,
    stepId: string,
    responseId: string,
    options: ActionOptions & { rating: "up" | "down" | "none"; note?: string },
  ): Promise<PipelineRun> {
    return this.#act(runId, options, undefined, () => [{
      type: "rateResponse",
      stepId,
      responseId,
      rating: options.rating,
      note: options.note,
    }]);
  }

  /** Skips the step; later steps see it as done with an empty result. */
  skip(
    runId: string,
    stepId: string,
    options: ActionOptions & { reason?: string } = {},
  ): Promise<PipelineRun> {
    return this.#act(
      runId,
      options,
      stepId,
      () => [{ type: "skipStep", stepId, reason: options.reason }],
    );
  }

  /** Forks the run at `fromStepId`: a new run sharing the history before it. Returns the child's state. */
  async branch(runId: string, options: BranchOptions): Promise<PipelineRun> {
    const executor = this.#executor;
    await this.#assertCurrent(runId, options);
    const parent = await executor.store.loadRun(runId);
    const events = decide({ type: "branchFrom", stepId: options.fromStepId }, parent);
    const childId = executor.context.newId();
    await executor.store.append(childId, events, {
      expectedVersion: parent.version,
      metadata: { actor: options.actor ?? executor.options.actor ?? "engine" },
    });
    return await executor.store.loadRun(childId);
  }

  /** Sends the run back to `toStepId` (history kept): it re-runs, later steps become stale. */
  async rewind(runId: string, toStepId: string, options: ActionOptions = {}): Promise<PipelineRun> {
    await this.#executor.stopDriver(runId, "rewind");
    return this.#act(runId, options, undefined, () => [{ type: "rewindTo", stepId: toStepId }]);
  }

  /** Pauses the run; an `advance` in this process stops and its generation is resumed later. */
  pause(runId: string, options: ActionOptions & { reason?: string } = {}): Promise<PipelineRun> {
    return this.#halt(runId, options, { type: "pauseRun", reason: options.reason }, "paused");
  }

  /**
   * Resumes a paused (or failed) run; call `advance` to continue. With
   * `model`, the run's candidates come from that model from now on (checked
   * first: an unknown model or a missing key changes nothing), and the step
   * waiting for a pick is asked again on it; a failed step is retried on it.
   */
  async resume(
    runId: string,
    options: ActionOptions & { model?: string } = {},
  ): Promise<PipelineRun> {
    const model = options.model;
    if (model !== undefined) {
      this.#executor.checkModelFor(await this.#executor.store.loadRun(runId), model);
    }
    return this.#act(runId, options, undefined, (state) => {
      const commands: RunCommand[] = [];
      if (model !== undefined) commands.push({ type: "changeModel", model });
      if (state.status !== "running" && state.status !== "initializing") {
        commands.push({ type: "resumeRun" });
      }
      // The step the run stopped at (waiting for a pick, or failed) is asked again on the model,
      // unless its current generation already came from it.
      const stopped = state.stepOrder.map((id) => state.steps[id]).find((step) =>
        step?.status === "awaiting_selection" || step?.status === "failed"
      );
      if (model !== undefined && stopped && stopped.models.some((label) => label !== model)) {
        commands.push({ type: "regenerateStep", stepId: stopped.stepId, reason: "model" });
      }
      return commands;
    });
  }

  /** Cancels the run and stops any `advance` of it in this process. */
  cancel(runId: string, options: ActionOptions & { reason?: string } = {}): Promise<PipelineRun> {
    return this.#halt(runId, options, { type: "cancelRun", reason: options.reason }, "cancelled");
  }

  /** Records `command` unless the run already has `status`, then stops this process's `advance` of it. */
  async #halt(
    runId: string,
    options: ActionOptions,
    command: RunCommand,
    status: "paused" | "cancelled",
  ): Promise<PipelineRun> {
    const state = await this.#act(
      runId,
      options,
      undefined,
      (current) => current.status === status ? [] : [command],
    );
    await this.#executor.stopDriver(runId, status);
    return await this.#executor.store.loadRun(state.runId);
  }

  /**
   * Calls `listener` with every event appended to the run (by any process
   * sharing the store) and every chunk streamed in this process. Returns the
   * function that unsubscribes.
   */
  subscribe(runId: string, listener: (update: RunUpdate) => void): () => void {
    return this.#executor.subscribe(runId, listener);
  }

  /** The run's state (NotFoundError when it does not exist). */
  loadRun(runId: string): Promise<PipelineRun> {
    return this.#executor.loadRun(runId);
  }

  /** Runs matching `filter`, newest first. */
  listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    return this.#executor.listRuns(filter);
  }

  /** Throws ConfigurationError (code `unknown_model`) for a model name no provider claims. */
  checkModelName(name: string): void {
    const models = this.#executor.options.models;
    if (models.identify) {
      models.identify(name);
      return;
    }
    try {
      models.resolve(name);
    } catch (error) {
      // A model that needs a key still has a name: only an unknown one is refused.
      if (error instanceof ConfigurationError && error.code === "missing_api_key") return;
      throw error;
    }
  }

  /**
   * What a run of `pipeline` with these options would cost, per step and
   * model, before anything is created or spent (engine/run_estimate.ts).
   * Throws what creating the run would throw for its inputs.
   */
  estimateRun(
    pipeline: Pipeline,
    options: { inputs?: Record<string, unknown>; modelOverride?: string; responses?: number } = {},
  ): RunEstimate {
    const serviceOptions = this.#executor.options;
    const models = serviceOptions.models;
    const choice = {
      modelOverride: options.modelOverride,
      defaultModel: serviceOptions.defaultModel,
      defaultModels: serviceOptions.defaultModels,
    };
    return estimateRun(pipeline, {
      inputs: options.inputs ?? {},
      responses: options.responses,
      sets: (step) => candidateSets(step, choice),
      price: (name, tokens) => {
        try {
          const model = models.identify?.(name) ?? models.resolve(name);
          if (!models.prices?.priceOf(model.provider, model.modelId)) return undefined;
          return models.prices.costOf(model.provider, model.modelId, tokens);
        } catch {
          return undefined; // a name no provider claims has no price
        }
      },
    });
  }

  /**
   * The runs (newest first, of the `scan` newest that match `filter`; default
   * 500) whose text matches every word of `query`, each with where it matched.
   */
  async searchRuns(
    query: string,
    options: RunFilter & { scan?: number } = {},
  ): Promise<Array<RunSummary & { match: RunMatch }>> {
    const { scan = 500, limit, ...filter } = options;
    const candidates = await this.#executor.listRuns({ ...filter, limit: scan });
    const found: Array<RunSummary & { match: RunMatch }> = [];
    for (const summary of candidates) {
      if (limit !== undefined && found.length >= limit) break;
      const state = await this.#executor.store.loadRun(summary.runId).catch(() => undefined);
      const match = state ? runMatch(state, query) : undefined;
      if (match) found.push({ ...summary, match });
    }
    return found;
  }

  /** The pipeline a run was created with (stored with the run). */
  pipelineOf(runId: string): Promise<Pipeline> {
    return this.#executor.pipelineOf(runId);
  }

  /** Stops every `advance` in flight (they stop cleanly) and waits for them. Does not close the store. */
  close(): Promise<void> {
    return this.#executor.close();
  }

  #act(
    runId: string,
    options: ActionOptions,
    stepId: string | undefined,
    build: (state: PipelineRun) => RunCommand[],
  ): Promise<PipelineRun> {
    return this.#executor.withJournal(runId, async (journal) => {
      await journal.execute(build, {
        metadata: options.actor ? { actor: options.actor } : undefined,
        decidedOn: decidedOn(options, stepId),
      });
      return cloneState(journal.state);
    });
  }

  /**
   * Throws StaleActionError when someone decided something on `stepId` (or
   * the run) after `options.basedOn`; for callers that act later, such as a
   * merge started in the background.
   */
  checkCurrent(runId: string, options: ActionOptions & { stepId?: string }): Promise<void> {
    return this.#assertCurrent(runId, options, options.stepId);
  }

  /** Refuses an action decided on an older version (see ActionOptions.basedOn). */
  async #assertCurrent(runId: string, options: ActionOptions, stepId?: string): Promise<void> {
    const decided = decidedOn(options, stepId);
    if (!decided) return;
    const store = this.#executor.store;
    await assertNotStale(
      (fromSequence) => store.read(runId, { fromSequence }),
      await store.loadRun(runId),
      decided,
    );
  }
}

function decidedOn(options: ActionOptions, stepId?: string): DecidedOn | undefined {
  return options.basedOn === undefined ? undefined : { version: options.basedOn, stepId };
}

/**
 * Completes a step and, when that was the last open one, the run, in the same
 * append: one durable commit for the pick that finishes a run.
 */
function completing(stepId: string): RunCommand[] {
  return [{ type: "completeStep", stepId }, { type: "completeRun", whenDone: true }];
}

function isDone(state: PipelineRun, stepId: string): boolean {
  const status = state.steps[stepId]?.status;
  return status === "completed" || status === "skipped";
}
