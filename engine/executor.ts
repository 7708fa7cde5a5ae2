/**
 * The pipeline executor: creates runs and drives them. `advance` takes the
 * run's lease, then loops: start the run, auto-select where allowed, start
 * every step whose dependencies are done (independent steps concurrently),
 * finish generations a stopped process left behind, and complete the run,
 * until a human is needed or the run stops. Each step's generation is
 * engine/step_generation.ts, with the models and style primers of
 * engine/step_resources.ts; every fact goes through the run's journal
 * (engine/run_journal.ts), and updates reach listeners through
 * engine/run_update_hub.ts. Human actions live in engine/run_service.ts and
 * share the journals, leases and update fan-out kept here.
 */
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { candidateSets } from "./candidate_sets.ts";
import type { EngineContext } from "./context.ts";
import { ConfigurationError, NotFoundError, ValidationError, WriteItError } from "./errors.ts";
import type { EventStore } from "./events/event_store.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import { validateInputs } from "./pipeline_inputs.ts";
import { MAX_RESPONSE_COUNT, type Pipeline } from "./pipeline_schema.ts";
import { stepSpecOf } from "./prompt_builder.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide, initialState } from "./run_decider.ts";
import { cloneState, foldEvents } from "./run_evolve.ts";
import { RunJournal } from "./run_journal.ts";
import { DEFAULT_LEASE_TTL_MS, MemoryRunLeases, type RunLeases } from "./run_lease.ts";
import type { PipelineRun } from "./run_model.ts";
import type { MergePort } from "./merge_action.ts";
import type { AdvanceOptions, CreateRunOptions, RunServiceOptions } from "./run_service_options.ts";
import type { RunUpdate } from "./run_update.ts";
import { RunUpdateHub } from "./run_update_hub.ts";
import { generateStep, type StepGenerationDependencies } from "./step_generation.ts";
import { StepResources } from "./step_resources.ts";
import {
  autoSelectionCommands,
  type AutoSelectionOptions,
  planSteps,
  withRunStart,
} from "./step_scheduler.ts";
import type { CandidateSet } from "./step_runner.ts";
import type { StoredRunOptions } from "./stored_run_options.ts";
import type { StylePrimer } from "./style_primer.ts";

/** How often `advance` renews the lease it holds: three times per lease lifetime. */
export const LEASE_RENEWAL_MS = DEFAULT_LEASE_TTL_MS / 3;

interface JournalEntry {
  journal: RunJournal;
  users: number;
}

/** Drives runs; shared state of one RunService. */
export class Executor implements MergePort {
  readonly store: EventStore;
  readonly context: EngineContext;
  readonly options: RunServiceOptions;
  readonly callLimiter: ConcurrencyLimiter;
  readonly runLimiter: ConcurrencyLimiter;
  readonly leases: RunLeases;
  readonly owner: string;
  #journals = new Map<string, JournalEntry>();
  #drivers = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  readonly #updates: RunUpdateHub;
  readonly #resources: StepResources;
  #closed = false;

  constructor(options: RunServiceOptions) {
    this.options = options;
    this.store = options.store;
    this.context = options.context;
    this.callLimiter = new ConcurrencyLimiter(options.limits?.maxConcurrentCalls ?? 8);
    this.runLimiter = new ConcurrencyLimiter(options.limits?.maxConcurrentRuns ?? 4);
    this.leases = options.leases ?? new MemoryRunLeases(options.context);
    this.owner = `${options.actor ?? "engine"}:${options.context.newId()}`;
    this.#updates = new RunUpdateHub(options.store);
    this.#resources = new StepResources(options);
  }

  // ---- runs ------------------------------------------------------------------------------

  async createRun(pipeline: Pipeline, options: CreateRunOptions): Promise<PipelineRun> {
    const checked = validateInputs(pipeline, options.inputs ?? {});
    const errors = checked.issues.filter((issue) => issue.severity === "error");
    if (!checked.value || errors.length > 0) {
      throw new ValidationError(
        `Invalid inputs for pipeline "${pipeline.id}": ${
          errors.map((issue) => issue.message).join("; ")
        }`,
        checked.issues,
      );
    }
    const responses = options.responses;
    if (
      responses !== undefined &&
      (!Number.isInteger(responses) || responses < 1 || responses > MAX_RESPONSE_COUNT)
    ) {
      throw new ValidationError(
        `Cannot ask for ${responses} responses per model: use a whole number from 1 to ${MAX_RESPONSE_COUNT}`,
      );
    }
    const choice = this.#resources.choice(options.modelOverride);
    if (options.modelOverride) this.options.models.resolve(options.modelOverride);
    this.#checkModels(pipeline, choice);
    const styleId = options.styleId ?? pipeline.style;
    let style: StylePrimer | undefined;
    if (styleId) style = this.#resources.style(styleId);
    for (const step of pipeline.steps) if (step.style) this.#resources.style(step.style);

    // The run keeps the definition, but only the file's name: where it lived on this machine is
    // nobody's business once the run is shared through the API or an export.
    const fileName = pipeline.source.file?.split(/[\\/]/).pop();
    const stored: StoredRunOptions = {
      pipeline: { ...pipeline, source: fileName ? { file: fileName } : {} },
    };
    if (options.autoSelect) stored.autoSelect = true;
    if (options.acceptInvalid) stored.acceptInvalid = true;
    if (options.modelOverride) stored.modelOverride = options.modelOverride;
    if (responses !== undefined) stored.responses = responses;
    if (style) stored.styleHash = style.hash;
    const runId = this.context.newId();
    const command: RunCommand = {
      type: "createRun",
      pipelineId: pipeline.id,
      pipelineVersion: pipeline.metadata.version,
      pipelineHash: pipeline.hash,
      workspace: this.options.workspace,
      stepOrder: pipeline.steps.map((step) => step.id),
      stepDependencies: Object.fromEntries(pipeline.steps.map((step) => [step.id, step.dependsOn])),
      inputs: checked.value,
      styleId,
      options: stored as unknown as Record<string, unknown>,
    };
    const initial = initialState(runId);
    const events = decide(command, initial);
    if (options.parentRunId) {
      (events[0].data as Record<string, unknown>).options = {
        ...stored,
        parentRunId: options.parentRunId,
      };
    }
    const result = await this.store.append(runId, events, {
      expectedVersion: 0,
      metadata: { actor: this.options.actor ?? "engine" },
    });
    return foldEvents(initial, result.events);
  }

  /** The pipeline stored with a run. */
  pipelineOfState(state: PipelineRun): Pipeline {
    const pipeline = (state.options as Partial<StoredRunOptions> | undefined)?.pipeline;
    if (!pipeline || !Array.isArray(pipeline.steps)) {
      throw new NotFoundError(
        `Run "${state.runId}" has no stored pipeline: it was created by an older WriteIt; start a new run of "${state.pipelineId}"`,
      );
    }
    return pipeline;
  }

  /**
   * Throws what a run of `state`'s pipeline on `model` would fail on before
   * any call: an unknown model (ValidationError), a missing key
   * (ConfigurationError naming the variable).
   */
  checkModelFor(state: PipelineRun, model: string): void {
    this.options.models.resolve(model);
    this.#checkModels(this.pipelineOfState(state), this.#resources.choice(model));
  }

  async pipelineOf(runId: string): Promise<Pipeline> {
    return this.pipelineOfState(await this.store.loadRun(runId));
  }

  loadRun(runId: string): Promise<PipelineRun> {
    return this.store.loadRun(runId);
  }

  listRuns(filter: Parameters<EventStore["listRuns"]>[0]) {
    return this.store.listRuns(filter);
  }

  // ---- journals, drivers, updates ----------------------------------------------------------

  /** Runs `task` with the run's shared journal (serialized appends across this process). */
  async withJournal<T>(runId: string, task: (journal: RunJournal) => Promise<T>): Promise<T> {
    let entry = this.#journals.get(runId);
    if (!entry) {
      const journal = await RunJournal.open(this.store, runId, {
        context: this.context,
        metadata: { actor: this.options.actor ?? "engine" },
        onEvents: (events) => this.#updates.emitEvents(runId, events),
      });
      entry = this.#journals.get(runId);
      if (!entry) {
        entry = { journal, users: 0 };
        this.#journals.set(runId, entry);
      }
    }
    entry.users++;
    try {
      return await task(entry.journal);
    } finally {
      entry.users--;
      if (entry.users === 0 && this.#journals.get(runId) === entry) this.#journals.delete(runId);
    }
  }

  /** Stops the `advance` of `runId` running in this process, if any, and waits for it. */
  async stopDriver(runId: string, reason: string): Promise<void> {
    const driver = this.#drivers.get(runId);
    if (!driver) return;
    driver.controller.abort(reason);
    await driver.done.catch(() => undefined);
  }

  /** Listens to every stored event of `runId` and to this process's chunks of it. */
  subscribe(runId: string, listener: (update: RunUpdate) => void): () => void {
    return this.#updates.subscribe(runId, listener);
  }

  /** Listens to this process's appends and chunks of `runId` (advance's and merge's onUpdate). */
  listenLocally(runId: string, listener: (update: RunUpdate) => void): () => void {
    return this.#updates.listenLocally(runId, listener);
  }

  emit(runId: string, update: RunUpdate): void {
    this.#updates.emit(runId, update);
  }

  wants(runId: string): boolean {
    return this.#updates.wants(runId);
  }

  // ---- models and styles (engine/step_resources.ts) --------------------------------------

  /** The model answering a candidate set (a fallback chain when it has several models). */
  modelFor(set: CandidateSet): LanguageModel {
    return this.#resources.modelFor(set);
  }

  /** The candidate sets of a step of a run. */
  setsOf(state: PipelineRun, pipeline: Pipeline, stepId: string): CandidateSet[] {
    return this.#resources.setsOf(state, pipeline, stepId);
  }

  styleForStep(state: PipelineRun, pipeline: Pipeline, stepId: string): StylePrimer | undefined {
    return this.#resources.styleForStep(state, pipeline, stepId);
  }

  // ---- advance ---------------------------------------------------------------------------

  async advance(runId: string, options: AdvanceOptions): Promise<PipelineRun> {
    if (this.#closed) throw new TypeError("The run service is closed");
    options.signal?.throwIfAborted();
    const lease = await this.leases.acquire(runId, { owner: this.owner });
    const controller = new AbortController();
    // Keep the lease while generating; losing it means another driver took over: stop.
    const renewal = this.context.every(LEASE_RENEWAL_MS, () => {
      lease.renew().catch((error) => controller.abort(error));
    });
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.#drivers.set(runId, { controller, done });
    const stopListening = options.onUpdate ? this.listenLocally(runId, options.onUpdate) : () => {};
    let releaseRun: (() => void) | undefined;
    try {
      releaseRun = await this.runLimiter.acquire({ signal: controller.signal });
      return await this.withJournal(
        runId,
        (journal) => this.#drive(journal, controller.signal, options),
      );
    } catch (error) {
      if (controller.signal.aborted) return await this.store.loadRun(runId);
      throw error;
    } finally {
      releaseRun?.();
      stopListening();
      options.signal?.removeEventListener("abort", onAbort);
      if (this.#drivers.get(runId)?.controller === controller) this.#drivers.delete(runId);
      finish();
      renewal.stop();
      await lease.release();
    }
  }

  async #drive(
    journal: RunJournal,
    signal: AbortSignal,
    options: AdvanceOptions,
  ): Promise<PipelineRun> {
    const inFlight = new Map<string, Promise<void>>();
    const retried = new Set<string>();
    const pipeline = this.pipelineOfState(journal.state);
    const stored = journal.state.options as Partial<StoredRunOptions> | undefined;
    const selectAll = options.autoSelect === true || stored?.autoSelect === true;
    const acceptInvalid = options.acceptInvalid === true || stored?.acceptInvalid === true;
    while (!signal.aborted) {
      const state = journal.state;
      if (state.status !== "running" && state.status !== "initializing") break;
      const plan = planSteps(state, new Set(inFlight.keys()));
      let acted = false;
      const partial = plan.failed.filter((id) =>
        retried.has(id) &&
        state.steps[id].responses.some((r) => r.generation === state.steps[id].generation)
      );
      for (const stepId of [...plan.awaiting, ...partial]) {
        const spec = stepSpecOf(pipeline, stepId);
        if (!(selectAll || spec.autoApprove)) continue;
        const selection = { acceptInvalid, unattended: selectAll };
        if (await this.#autoSelect(journal, stepId, selection)) acted = true;
      }
      if (acted) continue;
      if (plan.complete) {
        if (inFlight.size === 0) {
          await journal.execute((s) =>
            planSteps(s).complete && (s.status === "running" || s.status === "initializing")
              ? withRunStart(s, [{ type: "completeRun" }])
              : []
          );
          break;
        }
      }
      // One attempt per step and drive: a step that cannot make progress never spins.
      const toRun = [...plan.start, ...plan.interrupted, ...plan.failed].filter((id) =>
        !retried.has(id)
      );
      for (const stepId of toRun) {
        retried.add(stepId);
        const task = generateStep(this.#generation(journal.runId), {
          journal,
          pipeline,
          stepId,
          signal,
          autoSelect: selectAll,
          acceptInvalid,
        }).finally(() => inFlight.delete(stepId));
        inFlight.set(stepId, task);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight.values());
    }
    await Promise.allSettled(inFlight.values());
    if (!signal.aborted && journal.state.status === "initializing") {
      await journal.execute((s) => s.status === "initializing" ? [{ type: "startRun" }] : []);
    }
    return cloneState(journal.state);
  }

  /**
   * Picks the first passing candidate of an awaiting step and completes it,
   * or pauses an unattended run there when none passes.
   */
  async #autoSelect(
    journal: RunJournal,
    stepId: string,
    options: AutoSelectionOptions,
  ): Promise<boolean> {
    const events = await journal.execute((state) => {
      const step = state.steps[stepId];
      if (!step || (step.status !== "awaiting_selection" && step.status !== "failed")) return [];
      const commands = autoSelectionCommands(state, step, options);
      return commands.length === 0 ? [] : withRunStart(state, commands);
    });
    return events.length > 0;
  }

  /** What a step generation of `runId` needs from this executor. */
  #generation(runId: string): StepGenerationDependencies {
    return {
      context: this.context,
      limiter: this.callLimiter,
      modelFor: (set) => this.modelFor(set),
      bufferSize: Math.max(1, this.options.streamingBufferSize ?? 1),
      emit: (update) => this.emit(runId, update),
      wanted: () => this.wants(runId),
      candidateSets: (state, pipeline, stepId) => this.setsOf(state, pipeline, stepId),
      styleFor: (state, pipeline, stepId) => this.styleForStep(state, pipeline, stepId),
    };
  }

  /**
   * Refuses a run before it is created when a step has no model it can
   * call (a missing API key for every model of its fallback chain): one
   * error naming the fix and the steps that need it, instead of a run that
   * fails at its first step.
   */
  #checkModels(pipeline: Pipeline, choice: ReturnType<StepResources["choice"]>): void {
    const needing = new Map<string, { error: WriteItError; steps: string[] }>();
    for (const step of pipeline.steps) {
      if (step.type === "user_input") continue;
      for (const set of candidateSets(step, choice)) {
        let failure: WriteItError | undefined;
        const callable = set.chain.some((name) => {
          try {
            this.options.models.resolve(name);
            return true;
          } catch (error) {
            if (!(error instanceof ConfigurationError)) throw error;
            failure ??= error;
            return false;
          }
        });
        if (callable || !failure) continue;
        // One entry per fix: the key variable a missing key names, else the whole message.
        const fix = failure.message.split(" is not set")[0];
        const entry = needing.get(fix) ?? { error: failure, steps: [] };
        if (!entry.steps.includes(step.id)) entry.steps.push(step.id);
        needing.set(fix, entry);
      }
    }
    const [first, ...others] = needing.values();
    const fixes = [...needing.keys()].slice(1);
    if (!first) return;
    const steps = first.steps.map((id) => `"${id}"`).join(", ");
    const also = others.length === 0
      ? ""
      : `; step${others.length === 1 ? "" : "s"} ${
        others.flatMap((other) => other.steps).map((id) => `"${id}"`).join(", ")
      } cannot run either (${fixes.join("; ")})`;
    throw new ConfigurationError(
      `Cannot start a run of "${pipeline.id}": ${first.error.message} (step${
        first.steps.length === 1 ? "" : "s"
      } ${steps} ${
        first.steps.length === 1 ? "has" : "have"
      } no other model to fall back on)${also}`,
      { code: first.error.code, cause: first.error },
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#drivers.keys()].map((runId) => this.stopDriver(runId, "closing")));
  }
}
