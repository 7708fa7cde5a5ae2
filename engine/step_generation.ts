/**
 * One step's generation, from start to record: starts the step (or resumes
 * the generation a stopped process left behind), renders its prompt with its
 * style primer (engine/prompt_builder.ts), asks its candidate sets for the
 * slots not yet recorded (engine/step_runner.ts), and records each candidate
 * through the run's journal as soon as it is complete. With the last
 * candidate it also chooses and completes the step in the same append when
 * allowed: a stale step whose prompt did not change keeps the writer's
 * earlier choice, and auto-selection picks the first passing candidate (or,
 * with none, pauses an unattended run at the step: engine/step_scheduler.ts).
 * Every failure becomes events (the step fails, and the run with it when it
 * cannot go on), never an exception.
 *
 * @example
 * ```ts
 * await generateStep(dependencies, { journal, pipeline, stepId: "outline", signal, autoSelect: false });
 * ```
 */
import { BudgetExceededError, InvalidCommandError, ValidationError } from "./errors.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import { buildStepPrompt, messagesOf, stepSpecOf } from "./prompt_builder.ts";
import { responseHints } from "./response_validation.ts";
import type { RunCommand } from "./run_commands.ts";
import type { RunJournal } from "./run_journal.ts";
import type { AIResponse, PipelineRun, StepState } from "./run_model.ts";
import { autoSelectionCommands, runCompletion, withRunStart } from "./step_scheduler.ts";
import {
  type CandidateSet,
  missingSlots,
  runGeneration,
  type StepRunnerDependencies,
} from "./step_runner.ts";
import type { StoredRunOptions } from "./stored_run_options.ts";
import type { StylePrimer } from "./style_primer.ts";

/** What a step's generation needs from the executor, beyond what a generation needs. */
export interface StepGenerationDependencies extends StepRunnerDependencies {
  /** The candidate sets of a step of a run. */
  candidateSets(state: PipelineRun, pipeline: Pipeline, stepId: string): CandidateSet[];
  /** The style primer of a step of a run, if it has one; throws when it cannot be found. */
  styleFor(state: PipelineRun, pipeline: Pipeline, stepId: string): StylePrimer | undefined;
}

/** The step to generate. */
export interface StepGenerationRequest {
  /** The run's journal: every fact is recorded through it. */
  journal: RunJournal;
  /** The pipeline stored with the run. */
  pipeline: Pipeline;
  stepId: string;
  /** Stops the generation; what is recorded stays recorded. */
  signal: AbortSignal;
  /** Choose a candidate once they are all in, even when the step does not auto-approve. */
  autoSelect: boolean;
  /** With no valid candidate, auto-selection takes the first anyway. */
  acceptInvalid: boolean;
}

/** One generation of a step; every failure becomes events, never an exception. */
export async function generateStep(
  dependencies: StepGenerationDependencies,
  request: StepGenerationRequest,
): Promise<void> {
  const { journal, stepId, signal } = request;
  try {
    await generate(dependencies, request);
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

async function generate(
  dependencies: StepGenerationDependencies,
  request: StepGenerationRequest,
): Promise<void> {
  const { journal, pipeline, stepId, signal, autoSelect, acceptInvalid } = request;
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
        ? withRunStart(state, [{ type: "resumeStep", stepId }])
        : [];
    });
  } else if (spec.type === "user_input") {
    const style = dependencies.styleFor(journal.state, pipeline, stepId);
    const built = buildStepPrompt(pipeline, journal.state, { stepId, style });
    await journal.execute((state) =>
      withRunStart(state, [{
        type: "startStep",
        stepId,
        prompt: built.prompt,
        models: [],
        responseCount: 0,
      }])
    );
    return;
  } else {
    sets = dependencies.candidateSets(journal.state, pipeline, stepId);
    const style = dependencies.styleFor(journal.state, pipeline, stepId);
    const built = buildStepPrompt(pipeline, journal.state, { stepId, style });
    await journal.execute((state) =>
      withRunStart(state, [{
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
    const configured = safeSets(() => dependencies.candidateSets(journal.state, pipeline, stepId));
    sets = step.models.map((label) =>
      configured.find((set) => set.label === label) ?? { label, chain: [label] }
    );
  }
  const generation = step.generation;
  const prompt = step.prompt ?? "";
  const choose = (state: PipelineRun, candidate: StepState): RunCommand[] => {
    if (previous?.selectedText !== undefined && previous.prompt === prompt) {
      // A stale step whose prompt did not change keeps the writer's earlier choice.
      const kept = candidate.responses.find((r) =>
        r.generation === generation && r.processedContent === previous.selectedText
      );
      if (kept) {
        return [
          { type: "selectResponse", stepId, responseId: kept.responseId },
          { type: "completeStep", stepId },
          ...runCompletion(state, stepId),
        ];
      }
    }
    if (!(autoSelect || spec.autoApprove)) return [];
    return autoSelectionCommands(state, candidate, { acceptInvalid, unattended: autoSelect });
  };
  const slots = missingSlots(sets, step.responseCount, step.responses, generation);
  const outcome = await runGeneration(dependencies, {
    runId: journal.runId,
    stepId,
    generation,
    sets,
    slots,
    prompt,
    messages: messagesOf(prompt, step.systemPrompt),
    temperature: spec.temperature,
    maxTokens: spec.maxTokens,
    allowTruncated: spec.allowTruncated,
    variant: step.retryCount,
    validation: spec.validation,
    hints: responseHints(spec.validation),
    signal,
    noteFailure: async (failure) => {
      await journal.execute((state) =>
        state.steps[stepId]?.status === "running"
          ? [{ type: "noteAttemptFailure", stepId, failure }]
          : []
      );
    },
    record: async (response, slot) => {
      await journal.execute((state) => {
        const current = state.steps[stepId];
        if (!current || current.generation !== generation) return [];
        if (current.status !== "running" && current.status !== "awaiting_selection") return [];
        const open = missingSlots(sets, current.responseCount, current.responses, generation);
        if (!open.some((s) => s.set === slot.set && s.candidateIndex === slot.candidateIndex)) {
          return []; // another driver recorded this candidate first
        }
        const commands: RunCommand[] = [{
          type: "recordResponse",
          stepId,
          response: flagRepeat(response, current),
        }];
        if (open.length === 1 && current.status === "running") {
          // The last candidate: record, choose and complete in one append when allowed.
          commands.push(
            ...choose(state, { ...current, responses: [...current.responses, response] }),
          );
        }
        return commands;
      });
    },
  });
  if (outcome.aborted || signal.aborted) return;
  if (outcome.failures.length > 0) {
    const first = outcome.failures[0].error;
    const budget = outcome.failures.find((failure) => failure.error instanceof BudgetExceededError);
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
    return choose(state, current);
  });
}

function safeSets(build: () => CandidateSet[]): CandidateSet[] {
  try {
    return build();
  } catch {
    return [];
  }
}

/**
 * A candidate whose text repeats one the step already has (a regenerate
 * the model answered the same way) is kept but fails validation, naming the
 * candidate it repeats, so auto-selection passes over it and the writer sees why.
 */
function flagRepeat(response: AIResponse, step: StepState): AIResponse {
  const text = response.processedContent.trim();
  const index = step.responses.findIndex((other) => other.processedContent.trim() === text);
  if (index < 0 || text === "") return response;
  return {
    ...response,
    validation: {
      passed: false,
      reasons: [...response.validation.reasons, `same text as candidate ${index + 1}`],
    },
  };
}
