/**
 * The one model interface every step goes through. Stream first: a call
 * yields text chunks, then exactly one `usage` part and one `finish` part;
 * a non-streaming call is a collected stream (`collectText`). Providers
 * (OpenAI, Anthropic, offline) implement it; caching, retry, fallback, usage
 * accounting and budgets wrap it as middleware (`LanguageModelMiddleware`).
 */
import type { TokenUsage } from "../run_model.ts";

/** One chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a step asks of a model. */
export interface ModelRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /**
   * Which candidate this is among the ones asked of the same model for the
   * same prompt (0-based). Part of the cache key; the offline model varies
   * its text by it.
   */
  candidateIndex: number;
  /**
   * Bumped by a regenerate so it gets a new candidate instead of the cached
   * one. Part of the cache key.
   */
  variant?: number;
  /**
   * What the step will accept, from its validation rules. Real providers
   * ignore it (a pipeline states such requirements in its prompt); the
   * offline model shapes its text to it. Part of the cache key.
   */
  responseHints?: ResponseHints;
  /**
   * Accept an answer cut by the token limit (`finish_reason: length`,
   * `stop_reason: max_tokens`) instead of failing the attempt (default
   * false). Such answers are never cached either way.
   */
  allowTruncated?: boolean;
}

/** Length and content a step's validation asks for (characters, like `min_response_length`). */
export interface ResponseHints {
  minLength?: number;
  maxLength?: number;
  /** Words the answer must contain, such as `title`, `hook`, `conclusion`. */
  requiredElements?: string[];
}

/**
 * A part of a model's streamed answer. `reset` means: discard the text
 * received so far, the answer starts again from its first character (a retry
 * or a fallback after a stream was cut midway). Consumers that show text live
 * clear their view; `collectText` drops the text before it.
 */
export type ModelStreamPart =
  | { type: "text"; text: string }
  | { type: "reset"; reason: string }
  | {
    type: "usage";
    usage: TokenUsage;
    /**
     * Counts the provider left out (their fields hold 0): the usage
     * middleware fills them in with the tokenizer and marks the usage
     * estimated.
     */
    missing?: Array<"input" | "output">;
  }
  | {
    /**
     * What an attempt that was refused after it finished (an empty or a
     * truncated answer) cost: the provider's counts when it gave them. The
     * usage middleware adds it to the usage of the answer that succeeds, so
     * budgets and spend count every token paid for; it is not passed on.
     */
    type: "spent";
    usage?: TokenUsage;
    missing?: Array<"input" | "output">;
  }
  | {
    type: "finish";
    reason: string;
    /** True when the answer came from the response cache. */
    cached?: boolean;
    /** The model that answered, set by a fallback chain (it may differ from the chain's first). */
    provider?: string;
    modelId?: string;
  };

/** Which run and step a call is for, so usage can be totalled per run and step. */
export interface UsageScope {
  runId?: string;
  stepId?: string;
}

/** Why a fallback chain moved from one model to the next. */
export interface FallbackEvent {
  /** Model that failed, as `provider:modelId`. */
  from: string;
  /** Model tried next, as `provider:modelId`. */
  to: string;
  /** The failure, in words (the error's message). */
  reason: string;
  /** The failure's stable code (`rate_limited`, `provider_error`, `configuration_error`, …). */
  code: string;
}

/** A failed attempt that will be tried again after a wait. */
export interface RetryNotice {
  /** Model that failed, as `provider:modelId`. */
  model: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the next attempt. */
  delayMs: number;
  /** The failure, in words. */
  reason: string;
  /** The failure's stable code (`rate_limited`, `timeout`, `empty_answer`, …). */
  code: string;
}

/** Options for one call. */
export interface ModelCallOptions {
  signal?: AbortSignal;
  /** Run and step this call belongs to (usage ledger totals). */
  scope?: UsageScope;
  /** Called when a fallback chain moves on to its next model, with the reason. */
  onFallback?: (event: FallbackEvent) => void;
  /** Called before each wait for a retry, with the attempt that failed and why. */
  onRetry?: (notice: RetryNotice) => void;
}

/** A resolved model: a provider plus a model id. */
export interface LanguageModel {
  /** `openai`, `anthropic`, `local`, `offline`, … */
  readonly provider: string;
  /** The provider's model id, such as `gpt-4.1` or `claude-sonnet-4`. */
  readonly modelId: string;
  /** Streams an answer; throws a WriteItError subclass on failure. */
  stream(request: ModelRequest, options?: ModelCallOptions): AsyncIterable<ModelStreamPart>;
}

/** Wraps a model with behaviour (cache, retry, usage accounting). */
export type LanguageModelMiddleware = (model: LanguageModel) => LanguageModel;

/** The collected result of a stream. */
export interface CollectedResponse {
  text: string;
  usage: TokenUsage;
  finishReason: string;
  cached: boolean;
}

/** Collects a stream into one answer (the non-streaming call). */
export async function collectText(
  stream: AsyncIterable<ModelStreamPart>,
): Promise<CollectedResponse> {
  let text = "";
  let usage: TokenUsage | undefined;
  let finishReason = "unknown";
  let cached = false;
  for await (const part of stream) {
    if (part.type === "text") text += part.text;
    else if (part.type === "reset") text = "";
    else if (part.type === "usage") usage = part.usage;
    else if (part.type === "finish") {
      finishReason = part.reason;
      cached = part.cached ?? false;
    }
  }
  return {
    text,
    usage: usage ??
      { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: true },
    finishReason,
    cached,
  };
}
