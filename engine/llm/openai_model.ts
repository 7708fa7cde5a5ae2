/**
 * OpenAI chat completions through the `openai` SDK, streamed with
 * `stream_options.include_usage`, for OpenAI itself (`openai:`) and for any
 * OpenAI-compatible server such as Ollama, llama.cpp, vLLM or LM Studio
 * (`local:`, through a base URL). The SDK's own retries are off: the retry
 * middleware owns them. A stream that closes without a finish reason or
 * without `data: [DONE]` is a `RetryableError`, never a short answer; usage
 * comes from the usage chunk (the usage middleware estimates it when a
 * server sends none, or the counts it left out).
 */
import type OpenAI from "openai";
import type {
  LanguageModel,
  ModelCallOptions,
  ModelRequest,
  ModelStreamPart,
} from "./language_model.ts";
import { providerCall, streamEndedEarly } from "./provider_errors.ts";

/** Options for `createOpenAIModel`. */
export interface OpenAIModelOptions {
  /** `openai` for OpenAI's API, `local` for an OpenAI-compatible server. */
  provider: "openai" | "local";
  modelId: string;
  apiKey: string;
  baseUrl: string;
  /** Variable holding the key, named in authentication errors. */
  apiKeyVariable?: string;
  /** Whole-request limit handed to the SDK (default 10 minutes); the stream time-outs are middleware. */
  requestTimeoutMs?: number;
  /** Clock for Retry-After dates (default `Date.now`). */
  now?: () => number;
}

const DONE_STATE = Symbol("writeit.openai.done");
const DONE_PATTERN = /(^|\n)data: ?\[DONE\]/;

interface DoneState {
  seen: boolean;
}

/** A fetch that notes whether an SSE body carried `data: [DONE]`, which the SDK swallows. */
function doneWatchingFetch(): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (!response.body || !type.includes("text/event-stream")) return response;
    const state: DoneState = { seen: false };
    const decoder = new TextDecoder();
    let tail = "";
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (!state.seen) {
            const text = tail + decoder.decode(chunk, { stream: true });
            if (DONE_PATTERN.test(text)) state.seen = true;
            else tail = text.slice(-16);
          }
          controller.enqueue(chunk);
        },
      }),
    );
    const wrapped = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    (wrapped as unknown as Record<symbol, DoneState>)[DONE_STATE] = state;
    return wrapped;
  };
}

/** Reasoning models accept only the default temperature. */
function acceptsTemperature(provider: string, modelId: string): boolean {
  return provider !== "openai" || !/^(o\d|gpt-5)/.test(modelId);
}

/** A `LanguageModel` backed by OpenAI's chat completions API (or a compatible server). */
export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  // The SDK is loaded on the first call, so that commands that never call a model skip it.
  let client: Promise<OpenAI> | undefined;
  const openClient = () =>
    client ??= import("openai").then(({ default: OpenAI }) =>
      new OpenAI({
        apiKey: options.apiKey,
        baseURL: options.baseUrl,
        organization: null,
        project: null,
        maxRetries: 0,
        timeout: options.requestTimeoutMs ?? 600_000,
        logLevel: "off",
        fetch: doneWatchingFetch(),
      })
    );
  const now = options.now ?? Date.now;
  const { provider, modelId } = options;
  const temperatureAllowed = acceptsTemperature(provider, modelId);

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
      const body: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
        model: modelId,
        messages: request.messages.map((message) => ({
          role: message.role,
          content: message.content,
        })),
        stream: true,
        stream_options: { include_usage: true },
      };
      if (request.temperature !== undefined && temperatureAllowed) {
        body.temperature = request.temperature;
      }
      if (request.maxTokens !== undefined) {
        if (provider === "openai") body.max_completion_tokens = request.maxTokens;
        else body.max_tokens = request.maxTokens;
      }
      let stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>;
      let response: Response;
      try {
        ({ data: stream, response } = await (await openClient()).chat.completions.create(body, {
          signal,
        })
          .withResponse());
      } catch (error) {
        throw call.fail(error);
      }
      const done = (response as unknown as Record<symbol, DoneState | undefined>)[DONE_STATE];
      let finishReason: string | undefined;
      let usage: OpenAI.CompletionUsage | undefined;
      try {
        for await (const chunk of stream) {
          if (chunk.usage) usage = chunk.usage;
          for (const choice of chunk.choices ?? []) {
            if (choice.index !== 0) continue;
            const text = choice.delta?.content;
            if (text) yield { type: "text", text };
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
        }
      } catch (error) {
        throw call.fail(error);
      }
      call.throwIfCancelled();
      if (!finishReason) throw streamEndedEarly(provider, modelId, "a finish reason");
      if (done && !done.seen) {
        throw streamEndedEarly(provider, modelId, 'its closing "data: [DONE]"');
      }
      if (usage) {
        const missing: Array<"input" | "output"> = [];
        if (typeof usage.prompt_tokens !== "number") missing.push("input");
        if (typeof usage.completion_tokens !== "number") missing.push("output");
        const inputTokens = usage.prompt_tokens ?? 0;
        const outputTokens = usage.completion_tokens ?? 0;
        yield {
          type: "usage",
          usage: {
            inputTokens,
            outputTokens,
            totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
            costUsd: 0,
            estimated: false,
          },
          missing,
        };
      }
      yield { type: "finish", reason: finishReason };
    },
  };
}
