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
}

/** A part of a model's streamed answer. */
export type ModelStreamPart =
  | { type: "text"; text: string }
  | { type: "usage"; usage: TokenUsage }
  | { type: "finish"; reason: string; cached?: boolean };

/** Options for one call. */
export interface ModelCallOptions {
  signal?: AbortSignal;
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
    else if (part.type === "usage") usage = part.usage;
    else {
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
