/**
 * One generation of one step: asks every candidate set (one per model) for
 * its candidates concurrently, each call under the global call limit,
 * streams chunks to subscribers (batched by the streaming buffer size),
 * applies the step's validation rules, and records each finished candidate
 * as soon as it is complete, so a crash loses only the candidates still
 * streaming. Only the slots (set, candidate index) not yet recorded are
 * asked for, which is what makes a resumed generation free of duplicates.
 * Every retry and fallback of a model call is recorded (`noteFailure`) as
 * it happens, and an empty answer is never a candidate.
 *
 * @example
 * ```ts
 * const outcome = await runGeneration(dependencies, request);
 * if (outcome.failures.length > 0) console.log(outcome.failures[0].error.message);
 * ```
 */
import type { EngineContext } from "./context.ts";
import type { ConcurrencyLimiter } from "./concurrency_limiter.ts";
import { CancelledError, RetryableError } from "./errors.ts";
import type {
  ChatMessage,
  LanguageModel,
  ModelRequest,
  ResponseHints,
} from "./llm/language_model.ts";
import type { StepValidation } from "./pipeline_schema.ts";
import { attemptFailureNotice } from "./attempt_failure_notice.ts";
import { validateResponse } from "./response_validation.ts";
import { type AIResponse, type AttemptFailure, emptyUsage, type TokenUsage } from "./run_model.ts";
import type { RunUpdate } from "./run_update.ts";

/** One candidate set: a label (as the step and the UI name it) and the models that may answer it. */
export interface CandidateSet {
  /** `gpt-4.1`, or `offline:gpt-4.1` under an offline override. */
  label: string;
  /** Fallback order; the first is the label's model. */
  chain: string[];
}

/** A position in a generation: which set, which candidate. */
export interface CandidateSlot {
  set: number;
  candidateIndex: number;
}

/** What a generation needs from the executor. */
export interface StepRunnerDependencies {
  context: EngineContext;
  limiter: ConcurrencyLimiter;
  /** The model answering a candidate set. */
  modelFor(set: CandidateSet): LanguageModel;
  /** Characters per chunk update (1 = every chunk as it comes). */
  bufferSize: number;
  /** Delivers chunk and notice updates; `wanted()` false skips building them. */
  emit(update: RunUpdate): void;
  wanted(): boolean;
}

/** One generation to run. */
export interface GenerationRequest {
  runId: string;
  stepId: string;
  generation: number;
  sets: CandidateSet[];
  /** Slots to ask for (the ones not recorded yet). */
  slots: CandidateSlot[];
  prompt: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Accept answers cut by the token limit (the step's `allow_truncated`). */
  allowTruncated?: boolean;
  /** Bumped by regenerates so the cache returns new candidates. */
  variant: number;
  validation?: StepValidation;
  hints?: ResponseHints;
  signal: AbortSignal;
  /** Records a finished candidate (an append); resolves when it is stored or dropped. */
  record(response: AIResponse, slot: CandidateSlot): Promise<void>;
  /**
   * Records a retry or fallback of a candidate's model call (an append);
   * without it, each is only sent to live subscribers as a notice.
   */
  noteFailure?(failure: Omit<AttemptFailure, "at">): Promise<void>;
}

/** How a generation ended. */
export interface GenerationOutcome {
  recorded: number;
  failures: Array<{ slot: CandidateSlot; error: unknown }>;
  aborted: boolean;
}

/** The slots of a generation not covered by `responses` (model candidates of `generation`). */
export function missingSlots(
  sets: CandidateSet[],
  responseCount: number,
  responses: readonly AIResponse[],
  generation: number,
): CandidateSlot[] {
  const taken = new Set<string>();
  for (const response of responses) {
    if (response.generation !== generation || response.origin !== "model") continue;
    const set = slotSetOf(sets, response);
    if (set >= 0) taken.add(`${set}:${response.candidateIndex}`);
  }
  const slots: CandidateSlot[] = [];
  for (let set = 0; set < sets.length; set++) {
    for (let candidateIndex = 0; candidateIndex < responseCount; candidateIndex++) {
      if (!taken.has(`${set}:${candidateIndex}`)) slots.push({ set, candidateIndex });
    }
  }
  return slots;
}

/** Which set a recorded response belongs to (-1 when none): by label, or the only set. */
export function slotSetOf(sets: CandidateSet[], response: AIResponse): number {
  if (sets.length === 1) return 0;
  return sets.findIndex((set) => set.label === response.modelName);
}

/** Runs the generation's slots concurrently and records each finished candidate. */
export async function runGeneration(
  dependencies: StepRunnerDependencies,
  request: GenerationRequest,
): Promise<GenerationOutcome> {
  const outcome: GenerationOutcome = { recorded: 0, failures: [], aborted: false };
  await Promise.all(request.slots.map(async (slot) => {
    try {
      const response = await generateCandidate(dependencies, request, slot);
      if (request.signal.aborted) {
        outcome.aborted = true;
        return;
      }
      await request.record(response, slot);
      outcome.recorded++;
    } catch (error) {
      if (request.signal.aborted) outcome.aborted = true;
      else outcome.failures.push({ slot, error });
    }
  }));
  return outcome;
}

async function generateCandidate(
  dependencies: StepRunnerDependencies,
  request: GenerationRequest,
  slot: CandidateSlot,
): Promise<AIResponse> {
  const { context } = dependencies;
  const set = request.sets[slot.set];
  const release = await dependencies.limiter.acquire({ signal: request.signal });
  const startedAt = context.now();
  let text = "";
  let usage: TokenUsage | undefined;
  let finishReason = "unknown";
  let cached = false;
  let provider: string | undefined;
  let answeredBy: string | undefined;
  const notes: Promise<void>[] = [];
  const note = (failure: Omit<AttemptFailure, "at">) => {
    if (request.noteFailure) {
      notes.push(request.noteFailure(failure).catch(() => undefined));
    } else if (dependencies.wanted()) {
      dependencies.emit({
        type: "notice",
        runId: request.runId,
        stepId: request.stepId,
        message: attemptFailureNotice(request.stepId, failure),
      });
    }
  };
  try {
    const model = dependencies.modelFor(set);
    provider = model.provider;
    const modelRequest: ModelRequest = {
      messages: request.messages,
      candidateIndex: slot.candidateIndex,
      variant: request.variant,
    };
    if (request.temperature !== undefined) modelRequest.temperature = request.temperature;
    if (request.maxTokens !== undefined) modelRequest.maxTokens = request.maxTokens;
    if (request.hints) modelRequest.responseHints = request.hints;
    if (request.allowTruncated) modelRequest.allowTruncated = true;
    const base = {
      runId: request.runId,
      stepId: request.stepId,
      generation: request.generation,
      model: set.label,
      candidateIndex: slot.candidateIndex,
    };
    let buffer = "";
    const flush = () => {
      if (buffer === "") return;
      if (dependencies.wanted()) dependencies.emit({ type: "chunk", ...base, text: buffer });
      buffer = "";
    };
    const stream = model.stream(modelRequest, {
      signal: request.signal,
      scope: { runId: request.runId, stepId: request.stepId },
      onRetry: (notice) =>
        note({
          generation: request.generation,
          model: set.label,
          candidateIndex: slot.candidateIndex,
          failedModel: notice.model,
          attempt: notice.attempt,
          code: notice.code,
          reason: notice.reason,
          action: "retry",
          delayMs: notice.delayMs,
        }),
      onFallback: (event) =>
        note({
          generation: request.generation,
          model: set.label,
          candidateIndex: slot.candidateIndex,
          failedModel: event.from,
          attempt: 0,
          code: event.code,
          reason: event.reason,
          action: "fallback",
          next: event.to,
        }),
    });
    for await (const part of stream) {
      if (part.type === "text") {
        text += part.text;
        buffer += part.text;
        if (buffer.length >= dependencies.bufferSize) flush();
      } else if (part.type === "reset") {
        text = "";
        buffer = "";
        if (dependencies.wanted()) {
          dependencies.emit({ type: "chunk_reset", ...base, reason: part.reason });
        }
      } else if (part.type === "usage") {
        usage = part.usage;
      } else if (part.type === "finish") {
        finishReason = part.reason;
        cached = part.cached ?? false;
        if (part.provider !== undefined) {
          provider = part.provider;
          answeredBy = `${part.provider}:${part.modelId}`;
        }
      }
    }
    flush();
  } finally {
    release();
    await Promise.all(notes);
  }
  if (request.signal.aborted) throw new CancelledError("The generation was aborted");
  const finishedAt = context.now();
  // The answer is kept byte for byte; whitespace is trimmed only to check it.
  const visible = text.trim();
  if (visible === "") {
    throw new RetryableError(
      `${set.label} returned an empty answer for step "${request.stepId}" (finish reason "${finishReason}"): nothing was recorded; check the prompt, or add another model to model_preference`,
      { code: "empty_answer" },
    );
  }
  const firstInChain = set.chain[0];
  const modelName = answeredBy !== undefined && !sameModel(answeredBy, firstInChain)
    ? answeredBy
    : set.label;
  return {
    responseId: context.newId(),
    stepId: request.stepId,
    generation: request.generation,
    candidateIndex: slot.candidateIndex,
    modelName,
    provider: provider ?? "unknown",
    promptUsed: request.prompt,
    rawOutput: text,
    processedContent: text,
    createdAt: finishedAt.toISOString(),
    usage: usage ?? emptyUsage(),
    processingTime: Math.max(0, (finishedAt.getTime() - startedAt.getTime()) / 1000),
    origin: "model",
    cached,
    validation: validateResponse(visible, request.validation),
    finishReason,
  };
}

/** `openai:gpt-4.1` and `gpt-4.1` name the same model. */
function sameModel(qualified: string, name: string): boolean {
  if (qualified === name) return true;
  const colon = qualified.indexOf(":");
  return colon >= 0 && qualified.slice(colon + 1) === name;
}
