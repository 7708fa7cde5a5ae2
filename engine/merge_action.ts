/**
 * The "merge" human action: the writer picks two or more candidates of a
 * step, an LLM merges them (prompt in engine/merge_prompt.ts), and the
 * result is recorded as a new candidate of origin "merge", selected. The
 * merge streams like any candidate (its candidateIndex is its position in
 * the step's responses) and goes through the global call limit.
 */
import type { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import type { EngineContext } from "./context.ts";
import { InvalidCommandError } from "./errors.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import { mergeMessages } from "./merge_prompt.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import { stepSpecOf } from "./prompt_builder.ts";
import { cloneState } from "./run_evolve.ts";
import type { RunJournal } from "./run_journal.ts";
import type { PipelineRun } from "./run_model.ts";
import type { MergeOptions, RunServiceOptions } from "./run_service_options.ts";
import type { RunUpdate } from "./run_update.ts";
import { type CandidateSet, runGeneration } from "./step_runner.ts";

/** What a merge needs from the executor driving the run (engine/executor.ts implements it). */
export interface MergePort {
  readonly context: EngineContext;
  /** The global model-call limit the merge's call goes through. */
  readonly callLimiter: ConcurrencyLimiter;
  readonly options: Pick<RunServiceOptions, "mergeModel" | "streamingBufferSize">;
  /** Runs `task` with the run's journal, shared with every other caller on the run. */
  withJournal<T>(runId: string, task: (journal: RunJournal) => Promise<T>): Promise<T>;
  /** The normalized pipeline stored with the run. */
  pipelineOfState(state: PipelineRun): Pipeline;
  /** The step's candidate sets (one per model) for this run. */
  setsOf(state: PipelineRun, pipeline: Pipeline, stepId: string): CandidateSet[];
  modelFor(set: CandidateSet): LanguageModel;
  /** Sends `listener` this process's updates of the run until the returned function is called. */
  listenLocally(runId: string, listener: (update: RunUpdate) => void): () => void;
  emit(runId: string, update: RunUpdate): void;
  /** Whether anyone listens to the run's streamed chunks. */
  wants(runId: string): boolean;
}

/** Which candidates to merge. */
export interface MergeTarget {
  runId: string;
  stepId: string;
  responseIds: string[];
}

/** Merges the target's candidates and records the merge; returns the run's state. */
export async function mergeCandidates(
  executor: MergePort,
  target: MergeTarget,
  options: MergeOptions,
): Promise<PipelineRun> {
  const { runId, stepId } = target;
  const stop = options.onUpdate ? executor.listenLocally(runId, options.onUpdate) : () => {};
  try {
    return await executor.withJournal(runId, async (journal) => {
      const state = journal.state;
      const step = Object.hasOwn(state.steps, stepId) ? state.steps[stepId] : undefined;
      if (!step) {
        throw new InvalidCommandError(
          "unknown_step",
          `Step "${stepId}" is not part of run "${runId}": use one of ${
            state.stepOrder.map((id) => `"${id}"`).join(", ")
          }`,
        );
      }
      const ids = [...new Set(target.responseIds)];
      if (ids.length < 2) {
        throw new InvalidCommandError(
          "merge_needs_two",
          `Cannot merge in step "${stepId}" of run "${runId}": choose at least two different candidates`,
        );
      }
      const sources = ids.map((id) =>
        step.responses.find((response) => response.responseId === id)
      );
      const missing = ids.filter((_, index) => sources[index] === undefined);
      if (missing.length > 0) {
        throw new InvalidCommandError(
          "selection_out_of_range",
          `Cannot merge in step "${stepId}" of run "${runId}": no candidate ${
            missing.map((id) => `"${id}"`).join(", ")
          }`,
        );
      }
      const pipeline = executor.pipelineOfState(state);
      const spec = stepSpecOf(pipeline, stepId);
      const modelName = options.model ?? executor.options.mergeModel ?? step.models[0] ??
        executor.setsOf(state, pipeline, stepId)[0].label;
      const messages = mergeMessages({
        stepName: spec.name,
        originalPrompt: step.prompt,
        candidates: sources.map((response) => ({
          label: `Candidate ${step.responses.indexOf(response!) + 1} (${response!.modelName})`,
          text: response!.processedContent,
        })),
        instructions: options.instructions,
      });
      const set = { label: modelName, chain: [modelName] };
      const candidateIndex = step.responses.length;
      const controller = new AbortController();
      const onAbort = () => controller.abort(options.signal?.reason);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const outcome = await runGeneration({
          context: executor.context,
          limiter: executor.callLimiter,
          modelFor: (chosen) => executor.modelFor(chosen),
          bufferSize: Math.max(1, executor.options.streamingBufferSize ?? 1),
          emit: (update) => executor.emit(runId, update),
          wanted: () => executor.wants(runId),
        }, {
          runId,
          stepId,
          generation: step.generation,
          sets: [set],
          slots: [{ set: 0, candidateIndex }],
          prompt: messages[messages.length - 1].content,
          messages,
          temperature: spec.temperature,
          maxTokens: spec.maxTokens,
          variant: 0,
          validation: spec.validation,
          signal: controller.signal,
          record: async (response) => {
            await journal.execute(() => [{
              type: "mergeResponses",
              stepId,
              sourceResponseIds: ids,
              response,
            }], options.actor ? { metadata: { actor: options.actor } } : {});
          },
        });
        if (outcome.failures.length > 0) throw outcome.failures[0].error;
        options.signal?.throwIfAborted();
      } finally {
        options.signal?.removeEventListener("abort", onAbort);
      }
      return cloneState(journal.state);
    });
  } finally {
    stop();
  }
}
