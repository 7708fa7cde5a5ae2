/**
 * The pipeline executor: creates runs and drives them. `advance` takes the
 * run's lease, then loops: start the run, auto-select where allowed, start
 * every step whose dependencies are done (independent steps concurrently),
 * finish generations a stopped process left behind, and complete the run,
 * until a human is needed or the run stops. Each step generation renders its
 * prompt (engine/prompt_builder.ts), asks its candidate sets
 * (engine/candidate_sets.ts) through engine/step_runner.ts, and records every
 * fact through the run's journal (engine/run_journal.ts). Human actions live
 * in engine/run_service.ts and share the journals, leases and update fan-out
 * kept here.
 */
import { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { candidateSets, type ModelChoice } from "./candidate_sets.ts";
import type { EngineContext } from "./context.ts";
import {
  BudgetExceededError,
  ConfigurationError,
  InvalidCommandError,
  NotFoundError,
  ValidationError,
} from "./errors.ts";
import type { EventEnvelope } from "./events/event_envelope.ts";
import type { EventStore } from "./events/event_store.ts";
import { createFallbackModel } from "./llm/fallback_model.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import { resolveModelName } from "./llm/model_resolver.ts";
import { validateInputs } from "./pipeline_inputs.ts";
import { MAX_RESPONSE_COUNT, type Pipeline } from "./pipeline_schema.ts";
import { buildStepPrompt, messagesOf, stepSpecOf } from "./prompt_builder.ts";
import { responseHints } from "./response_validation.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide, initialState } from "./run_decider.ts";
import { cloneState, foldEvents } from "./run_evolve.ts";
import { RunJournal } from "./run_journal.ts";
import { DEFAULT_LEASE_TTL_MS, MemoryRunLeases, type RunLeases } from "./run_lease.ts";
import type { PipelineRun, StepState } from "./run_model.ts";
import type {
  AdvanceOptions,
  CreateRunOptions,
  ModelSource,
  RunServiceOptions,
  RunUpdate,
} from "./run_service.ts";
import { autoSelectionIndex, isStepDone, planSteps } from "./step_scheduler.ts";
import { type CandidateSet, missingSlots, runGeneration } from "./step_runner.ts";
import type { StylePrimer } from "./style_primer.ts";

/** Run options recorded in `run_created.options`. */
export interface StoredRunOptions {
  /** The normalized pipeline the run was created with. */
  pipeline: Pipeline;
  autoSelect?: boolean;
  modelOverride?: string;
  responses?: number;
  /** Content hash of the style primer the run started with. */
  styleHash?: string;
}

interface JournalEntry {
  journal: RunJournal;
  users: number;
}

/** Drives runs; shared state of one RunService. */
export class Executor {
  readonly store: EventStore;
  readonly context: EngineContext;
  readonly options: RunServiceOptions;
  readonly callLimiter: ConcurrencyLimiter;
  readonly runLimiter: ConcurrencyLimiter;
  readonly leases: RunLeases;
  readonly owner: string;
  #journals = new Map<string, JournalEntry>();
  #drivers = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  /** Listeners of chunks and notices (subscribe) per run. */
  #chunkListeners = new Map<string, Set<(update: RunUpdate) => void>>();
  /** Listeners of events appended here plus chunks (advance's onUpdate) per run. */
  #localListeners = new Map<string, Set<(update: RunUpdate) => void>>();
  #closed = false;

  constructor(options: RunServiceOptions) {
    this.options = options;
    this.store = options.store;
    this.context = options.context;
    this.callLimiter = new ConcurrencyLimiter(options.limits?.maxConcurrentCalls ?? 8);
    this.runLimiter = new ConcurrencyLimiter(options.limits?.maxConcurrentRuns ?? 4);
    this.leases = options.leases ?? new MemoryRunLeases(options.context);
    this.owner = `${options.actor ?? "engine"}:${options.context.newId()}`;
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
    const choice = this.#choice(options.modelOverride);
    for (const step of pipeline.steps) {
      if (step.type !== "user_input") candidateSets(step, choice);
    }
    if (options.modelOverride) this.options.models.resolve(options.modelOverride);
    const styleId = options.styleId ?? pipeline.style;
    let style: StylePrimer | undefined;
    if (styleId) style = this.#style(styleId);
    for (const step of pipeline.steps) if (step.style) this.#style(step.style);

    const stored: StoredRunOptions = { pipeline };
    if (options.autoSelect) stored.autoSelect = true;
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
        onEvents: (events) => this.#emitEvents(runId, events),
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

  subscribe(runId: string, listener: (update: RunUpdate) => void): () => void {
    const stopEvents = this.store.subscribe(
      runId,
      (event) => listener({ type: "event", runId, event }),
    );
    const stopChunks = addListener(this.#chunkListeners, runId, listener);
    return () => {
      stopEvents();
      stopChunks();
    };
  }

  /** Listens to this process's appends and chunks of `runId` (advance's and merge's onUpdate). */
  listenLocally(runId: string, listener: (update: RunUpdate) => void): () => void {
    return addListener(this.#localListeners, runId, listener);
  }

  emit(runId: string, update: RunUpdate): void {
    for (const listener of this.#chunkListeners.get(runId) ?? []) safely(listener, update);
    for (const listener of this.#localListeners.get(runId) ?? []) safely(listener, update);
  }

  wants(runId: string): boolean {
    return this.#chunkListeners.has(runId) || this.#localListeners.has(runId);
  }

  #emitEvents(runId: string, events: EventEnvelope[]): void {
    const listeners = this.#localListeners.get(runId);
    if (!listeners) return;
    for (const event of events) {
      for (const listener of listeners) safely(listener, { type: "event", runId, event });
    }
  }

  // ---- models and styles -----------------------------------------------------------------

  #choice(modelOverride?: string): ModelChoice {
    return {
      modelOverride,
      defaultModel: this.options.defaultModel,
      defaultModels: this.options.defaultModels,
    };
  }

  /** The model answering a candidate set (a fallback chain when it has several models). */
  modelFor(set: CandidateSet): LanguageModel {
    const models: ModelSource = this.options.models;
    if (set.chain.length <= 1) return models.resolve(set.label);
    if (models.resolveChain) return models.resolveChain(set.chain);
    return createFallbackModel(
      set.chain.map((name) => ({ name: qualified(name), create: () => models.resolve(name) })),
    );
  }

  /** The candidate sets of a step of a run. */
  setsOf(state: PipelineRun, pipeline: Pipeline, stepId: string): CandidateSet[] {
    const stored = state.options as Partial<StoredRunOptions> | undefined;
    return candidateSets(stepSpecOf(pipeline, stepId), this.#choice(stored?.modelOverride));
  }

  #style(id: string): StylePrimer {
    if (!this.options.styles) {
      throw new ConfigurationError(
        `Style primer "${id}" is attached but this service has no style library: pass "styles" to RunService`,
      );
    }
    const primer = this.options.styles(id);
    if (!primer) {
      throw new NotFoundError(
        `Style primer "${id}" was not found: list the available ones with "writeit style list"`,
      );
    }
    return primer;
  }

  styleForStep(state: PipelineRun, pipeline: Pipeline, stepId: string): StylePrimer | undefined {
    const id = stepSpecOf(pipeline, stepId).style ?? state.styleId;
    return id ? this.#style(id) : undefined;
  }

  // ---- advance ---------------------------------------------------------------------------

  async advance(runId: string, options: AdvanceOptions): Promise<PipelineRun> {
    if (this.#closed) throw new TypeError("The run service is closed");
    options.signal?.throwIfAborted();
    const lease = await this.leases.acquire(runId, { owner: this.owner });
    const controller = new AbortController();
    // Keep the lease while generating; losing it means another driver took over: stop.
    const renewal = setInterval(() => {
      lease.renew().catch((error) => controller.abort(error));
    }, DEFAULT_LEASE_TTL_MS / 3);
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
        (journal) => this.#drive(journal, controller.signal, options.autoSelect ?? false),
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
      clearInterval(renewal);
      await lease.release();
    }
  }

  async #drive(
    journal: RunJournal,
    signal: AbortSignal,
    autoSelect: boolean,
  ): Promise<PipelineRun> {
    const inFlight = new Map<string, Promise<void>>();
    const retried = new Set<string>();
    const pipeline = this.pipelineOfState(journal.state);
    const stored = journal.state.options as Partial<StoredRunOptions> | undefined;
    const selectAll = autoSelect || stored?.autoSelect === true;
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
        if (await this.#autoSelect(journal, stepId)) acted = true;
      }
      if (acted) continue;
      if (plan.complete) {
        if (inFlight.size === 0) {
          await journal.execute((s) =>
            planSteps(s).complete && (s.status === "running" || s.status === "initializing")
              ? started(s, [{ type: "completeRun" }])
              : []
          );
          break;
        }
      }
      // One attempt per step and drive: a step that cannot make progress never spins.
      const toRun = [
        ...plan.start,
        ...plan.interrupted.filter((id) => !retried.has(id)),
        ...plan.failed.filter((id) => !retried.has(id)),
      ];
      for (const stepId of toRun) {
        retried.add(stepId);
        const task = this.#runStep(journal, pipeline, stepId, signal, selectAll)
          .finally(() => inFlight.delete(stepId));
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

  /** Picks the first passing candidate of an awaiting step and completes it. */
  async #autoSelect(journal: RunJournal, stepId: string): Promise<boolean> {
    const events = await journal.execute((state) => {
      const step = state.steps[stepId];
      if (!step || (step.status !== "awaiting_selection" && step.status !== "failed")) return [];
      const index = autoSelectionIndex(step);
      if (index === undefined) return [];
      return started(state, [
        { type: "selectResponse", stepId, index },
        { type: "completeStep", stepId },
        ...completion(state, stepId),
      ]);
    });
    return events.length > 0;
  }

  /** One generation of a step; every failure becomes events, never an exception. */
  async #runStep(
    journal: RunJournal,
    pipeline: Pipeline,
    stepId: string,
    signal: AbortSignal,
    autoSelect: boolean,
  ): Promise<void> {
    try {
      await this.#generate(journal, pipeline, stepId, signal, autoSelect);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof InvalidCommandError) return; // the state moved on (paused, cancelled, …)
      const message = error instanceof Error ? error.message : String(error);
      await journal.execute((state) => {
        const step = state.steps[stepId];
        const commands: RunCommand[] = [];
        if (step && step.status !== "completed" && step.status !== "skipped") {
          commands.push({
            type: "failStep",
            stepId,
            error: message,
            retryable: error instanceof BudgetExceededError || !(error instanceof ValidationError),
          });
        }
        if (state.status === "running" || state.status === "initializing") {
          commands.push({ type: "failRun", error: message });
        }
        return commands;
      }).catch(() => undefined);
    }
  }

  async #generate(
    journal: RunJournal,
    pipeline: Pipeline,
    stepId: string,
    signal: AbortSignal,
    autoSelect: boolean,
  ): Promise<void> {
    const spec = stepSpecOf(pipeline, stepId);
    const before = journal.state.steps[stepId];
    const stored = journal.state.options as Partial<StoredRunOptions> | undefined;
    // A failure before the first start (a missing style, a bad template) left no generation to
    // resume: such a step starts afresh.
    const neverStarted = before.status === "failed" && before.models.length === 0;
    const interrupted = (before.status === "running" || before.status === "failed") &&
      !neverStarted;
    const previous = before.status === "stale"
      ? { prompt: before.prompt, selectedText: before.selectedText }
      : undefined;
    let sets: CandidateSet[] = [];
    if (interrupted) {
      await journal.execute((state) => {
        const status = state.steps[stepId]?.status;
        return status === "running" || status === "failed"
          ? started(state, [{ type: "resumeStep", stepId }])
          : [];
      });
    } else if (spec.type === "user_input") {
      const style = this.styleForStep(journal.state, pipeline, stepId);
      const built = buildStepPrompt(pipeline, journal.state, { stepId, style });
      await journal.execute((state) =>
        started(state, [{
          type: "startStep",
          stepId,
          prompt: built.prompt,
          models: [],
          responseCount: 0,
        }])
      );
      return;
    } else {
      sets = this.setsOf(journal.state, pipeline, stepId);
      const style = this.styleForStep(journal.state, pipeline, stepId);
      const built = buildStepPrompt(pipeline, journal.state, { stepId, style });
      await journal.execute((state) =>
        started(state, [{
          type: "startStep",
          stepId,
          prompt: built.prompt,
          systemPrompt: built.systemPrompt,
          models: sets.map((set) => set.label),
          responseCount: stored?.responses ?? spec.responseCount,
        }])
      );
    }
    const step = journal.state.steps[stepId];
    if (step.status !== "running") return;
    if (interrupted) {
      const configured = safeSets(() => this.setsOf(journal.state, pipeline, stepId));
      sets = step.models.map((label) =>
        configured.find((set) => set.label === label) ?? { label, chain: [label] }
      );
    }
    const generation = step.generation;
    const prompt = step.prompt ?? "";
    const choose = (candidate: StepState): number | undefined => {
      if (previous?.selectedText !== undefined && previous.prompt === prompt) {
        // A stale step whose prompt did not change keeps the writer's earlier choice.
        const index = candidate.responses.findIndex((r) =>
          r.generation === generation && r.processedContent === previous.selectedText
        );
        if (index >= 0) return index;
      }
      return autoSelect || spec.autoApprove ? autoSelectionIndex(candidate) : undefined;
    };
    const slots = missingSlots(sets, step.responseCount, step.responses, generation);
    const outcome = await runGeneration({
      context: this.context,
      limiter: this.callLimiter,
      modelFor: (set) => this.modelFor(set),
      bufferSize: Math.max(1, this.options.streamingBufferSize ?? 1),
      emit: (update) => this.emit(journal.runId, update),
      wanted: () => this.wants(journal.runId),
    }, {
      runId: journal.runId,
      stepId,
      generation,
      sets,
      slots,
      prompt,
      messages: messagesOf(prompt, step.systemPrompt),
      temperature: spec.temperature,
      maxTokens: spec.maxTokens,
      variant: step.retryCount,
      validation: spec.validation,
      hints: responseHints(spec.validation),
      signal,
      record: async (response, slot) => {
        await journal.execute((state) => {
          const current = state.steps[stepId];
          if (!current || current.generation !== generation) return [];
          if (current.status !== "running" && current.status !== "awaiting_selection") return [];
          const open = missingSlots(sets, current.responseCount, current.responses, generation);
          if (!open.some((s) => s.set === slot.set && s.candidateIndex === slot.candidateIndex)) {
            return []; // another driver recorded this candidate first
          }
          const commands: RunCommand[] = [{ type: "recordResponse", stepId, response }];
          if (open.length === 1 && current.status === "running") {
            // The last candidate: record, choose and complete in one append when allowed.
            const candidates = [...current.responses, response];
            const index = choose({ ...current, responses: candidates });
            if (index !== undefined) {
              commands.push(
                // By id: the recorded candidate may not end up last in the step's list.
                { type: "selectResponse", stepId, responseId: candidates[index].responseId },
                { type: "completeStep", stepId },
                ...completion(state, stepId),
              );
            }
          }
          return commands;
        });
      },
    });
    if (outcome.aborted || signal.aborted) return;
    if (outcome.failures.length > 0) {
      const first = outcome.failures[0].error;
      const budget = outcome.failures.find((failure) =>
        failure.error instanceof BudgetExceededError
      );
      const cause = budget?.error ?? first;
      const message = cause instanceof Error ? cause.message : String(cause);
      const total = slots.length;
      const all = outcome.recorded === 0 &&
        journal.state.steps[stepId].responses.every((r) => r.generation !== generation);
      await journal.execute((state) => {
        const current = state.steps[stepId];
        if (!current || current.generation !== generation || current.status === "completed") {
          return [];
        }
        const commands: RunCommand[] = [{
          type: "failStep",
          stepId,
          error: `${outcome.failures.length} of ${total} candidates failed: ${message}`,
          retryable: true,
        }];
        if ((all || budget) && state.status === "running") {
          commands.push({ type: "failRun", error: message });
        }
        return commands;
      });
      return;
    }
    // Candidates recorded by another driver, or a choice not made with the last one.
    await journal.execute((state) => {
      const current = state.steps[stepId];
      if (
        !current || current.status !== "awaiting_selection" || current.generation !== generation
      ) {
        return [];
      }
      const index = choose(current);
      if (index === undefined) return [];
      return [
        { type: "selectResponse", stepId, index },
        { type: "completeStep", stepId },
        ...completion(state, stepId),
      ];
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#drivers.keys()].map((runId) => this.stopDriver(runId, "closing")));
  }
}

/** `commands`, preceded by starting the run when it has not started yet. */
function started(state: PipelineRun, commands: RunCommand[]): RunCommand[] {
  return state.status === "initializing" ? [{ type: "startRun" }, ...commands] : commands;
}

/** Completing the run, when completing `stepId` leaves no step open. */
function completion(state: PipelineRun, stepId: string): RunCommand[] {
  const others = state.stepOrder.every((id) => id === stepId || isStepDone(state.steps[id]));
  return others && state.status === "running" ? [{ type: "completeRun" }] : [];
}

function safeSets(build: () => CandidateSet[]): CandidateSet[] {
  try {
    return build();
  } catch {
    return [];
  }
}

function qualified(name: string): string {
  try {
    return resolveModelName(name).name;
  } catch {
    return name;
  }
}

function addListener<T>(
  map: Map<string, Set<T>>,
  key: string,
  listener: T,
): () => void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(listener);
  return () => {
    const current = map.get(key);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) map.delete(key);
  };
}

function safely(listener: (update: RunUpdate) => void, update: RunUpdate): void {
  try {
    listener(update);
  } catch {
    // A failing listener must not stop the run or other listeners.
  }
}
