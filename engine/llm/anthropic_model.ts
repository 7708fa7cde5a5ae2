/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`, streamed
 * (`messages.create({ stream: true })`). System messages go into `system`;
 * consecutive messages of one role are merged, as the API requires
 * alternation. The SDK's own retries are off: the retry middleware owns them.
 * An `event: error` inside the stream, or a stream that closes without
 * `message_stop`, is a `RetryableError` (an error event of a non-retryable
 * type is a `ProviderError`); usage comes from message_start (input) and
 * message_delta (output), and what a server leaves out is named as
 * `missing` for the usage middleware to estimate.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type {
  LanguageModel,
  ModelCallOptions,
  ModelRequest,
  ModelStreamPart,
} from "./language_model.ts";
import { providerCall, streamEndedEarly } from "./provider_errors.ts";

/** Options for `createAnthropicModel`. */
export interface AnthropicModelOptions {
  modelId: string;
  apiKey: string;
  baseUrl: string;
  /** Variable holding the key, named in authentication errors. */
  apiKeyVariable?: string;
  /** Whole-request limit handed to the SDK (default 10 minutes). */
  requestTimeoutMs?: number;
  /** Output tokens asked for when a request sets none (the API requires a number; default 4096). */
  defaultMaxTokens?: number;
  /** Clock for Retry-After dates (default `Date.now`). */
  now?: () => number;
}

type AnthropicMessage = { role: "user" | "assistant"; content: string };

/** Splits chat messages into Anthropic's `system` and alternating `messages`. */
export function toAnthropicMessages(
  messages: ModelRequest["messages"],
): { system?: string; messages: AnthropicMessage[] } {
  const system = messages.filter((message) => message.role === "system").map((message) =>
    message.content
  );
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    const last = turns.at(-1);
    if (last && last.role === message.role) last.content += `\n\n${message.content}`;
    else turns.push({ role: message.role, content: message.content });
  }
  if (turns.length === 0 || turns[0].role !== "user") {
    turns.unshift({ role: "user", content: "Begin." });
  }
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: turns };
}

/** A `LanguageModel` backed by Anthropic's Messages API. */
export function createAnthropicModel(options: AnthropicModelOptions): LanguageModel {
  // The SDK is loaded on the first call, so that commands that never call a model skip it.
  let client: Promise<Anthropic> | undefined;
  const openClient = () =>
    client ??= import("@anthropic-ai/sdk").then(({ default: Anthropic }) =>
      new Anthropic({
        apiKey: options.apiKey,
        authToken: null,
        baseURL: options.baseUrl,
        maxRetries: 0,
        timeout: options.requestTimeoutMs ?? 600_000,
        logLevel: "off",
      })
    );
  const now = options.now ?? Date.now;
  const { modelId } = options;
  const provider = "anthropic";

  return {
    provider,
    modelId,
    async *stream(
      request: ModelRequest,
      callOptions: ModelCallOptions = {},
    ): AsyncIterable<ModelStreamPart> {
      const signal = callOptions.signal;
      const call = providerCall(
        { provider, modelId, apiKeyVariable: options.apiKeyVariable, signal },
        now,
      );
      call.throwIfCancelled();
      const { system, messages } = toAnthropicMessages(request.messages);
      const body: Anthropic.MessageCreateParamsStreaming = {
        model: modelId,
        max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? 4096,
        messages,
        stream: true,
      };
      if (system !== undefined) body.system = system;
      // The Messages API of this SDK generation has no `temperature`: it is not sent
      // (it still counts in the cache key, like every generation parameter).
      let stream: AsyncIterable<Anthropic.RawMessageStreamEvent>;
      try {
        stream = await (await openClient()).messages.create(body, { signal });
      } catch (error) {
        throw call.fail(error);
      }
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      let stopReason: string | undefined;
      let stopped = false;
      try {
        for await (const event of stream) {
          switch (event.type) {
            case "message_start": {
              // Some Anthropic-compatible servers leave usage out, in part or in full.
              const usage = event.message?.usage as Partial<Anthropic.Usage> | undefined | null;
              if (typeof usage?.input_tokens === "number") {
                inputTokens = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) +
                  (usage.cache_read_input_tokens ?? 0);
              }
              if (typeof usage?.output_tokens === "number") outputTokens = usage.output_tokens;
              break;
            }
            case "content_block_delta":
              if (event.delta.type === "text_delta" && event.delta.text) {
                yield { type: "text", text: event.delta.text };
              }
              break;
            case "message_delta":
              stopReason = event.delta?.stop_reason ?? stopReason;
              if (typeof event.usage?.output_tokens === "number") {
                outputTokens = event.usage.output_tokens;
              }
              break;
            case "message_stop":
              stopped = true;
              break;
          }
        }
      } catch (error) {
        throw call.fail(error);
      }
      call.throwIfCancelled();
      if (!stopped) throw streamEndedEarly(provider, modelId, "message_stop");
      if (inputTokens !== undefined || outputTokens !== undefined) {
        const missing: Array<"input" | "output"> = [];
        if (inputTokens === undefined) missing.push("input");
        if (outputTokens === undefined) missing.push("output");
        yield {
          type: "usage",
          usage: {
            inputTokens: inputTokens ?? 0,
            outputTokens: outputTokens ?? 0,
            totalTokens: (inputTokens ?? 0) + (outputTokens ?? 0),
            costUsd: 0,
            estimated: false,
          },
          missing,
        };
      }
      yield { type: "finish", reason: stopReason ?? "end_turn" };
    },
  };
}
