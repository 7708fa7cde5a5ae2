/**
 * Turns what the `openai` and `@anthropic-ai/sdk` SDKs throw into WriteIt's
 * errors, so the retry middleware and the fallback chain can act on them:
 * 408/409/429/5xx/529, time-outs, dropped connections and error events inside
 * a stream become `RetryableError` (with `retryAfterMs` from `retry-after-ms`
 * or `Retry-After`, in seconds or as an HTTP date); 400/401/403/404 and other
 * refusals become `ProviderError`; a malformed stream is a `ProviderError`
 * with code `malformed_stream`; a cancelled call is a `CancelledError`.
 */
import * as AnthropicSdk from "@anthropic-ai/sdk";
import * as OpenAISdk from "openai";
import { CancelledError, ProviderError, RetryableError, WriteItError } from "../errors.ts";

/** Where a failure happened, for the message. */
export interface ProviderErrorContext {
  /** `openai`, `anthropic`, `local`. */
  provider: string;
  modelId: string;
  /** Variable that holds the key, for "check OPENAI_API_KEY". */
  apiKeyVariable?: string;
  /** The caller's signal: when it aborted, the failure is a cancellation. */
  signal?: AbortSignal;
  /** Current time in ms, for Retry-After given as an HTTP date. */
  nowMs: number;
}

const PROVIDER_LABELS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  local: "the local OpenAI-compatible server",
};

/** `label` at the start of a sentence. */
function capitalized(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** Mid-stream error types that retrying will not fix. */
const FATAL_ERROR_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "invalid_api_key",
]);

/** Milliseconds to wait from `retry-after-ms`, or `Retry-After` (seconds or an HTTP date). */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  nowMs: number,
): number | undefined {
  if (!headers || typeof headers.get !== "function") return undefined;
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && milliseconds.trim() !== "") {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get("retry-after")?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

type SdkErrorClass =
  | "APIError"
  | "APIConnectionError"
  | "APIConnectionTimeoutError"
  | "APIUserAbortError"
  | "RetryableError";

/** Whether `error` is an instance of the named error class of either SDK. */
function isSdkError(error: unknown, name: SdkErrorClass): boolean {
  const openai = (OpenAISdk as unknown as Record<string, unknown>)[name];
  const anthropic = (AnthropicSdk as unknown as Record<string, unknown>)[name];
  return (typeof openai === "function" && error instanceof openai) ||
    (typeof anthropic === "function" && error instanceof anthropic);
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  status?: number;
  headers?: { get(name: string): string | null };
  error?: unknown;
  type?: string | null;
}

function serverMessage(error: SdkErrorShape): { message: string; type?: string } {
  const body = error.error as
    | { message?: string; type?: string; error?: { message?: string; type?: string } }
    | undefined;
  const nested = body?.error ?? body;
  const message = nested?.message ?? error.message ?? "no message";
  return {
    message: message.replace(/^\d{3}\s+/, ""),
    type: nested?.type ?? error.type ?? undefined,
  };
}

/** One call of an SDK-backed provider: how its failures become WriteIt errors. */
export interface ProviderCall {
  /** Throws CancelledError when the caller's signal has aborted. */
  throwIfCancelled(): void;
  /** Converts a failure of this call (see `toWriteItError`). */
  fail(error: unknown): WriteItError;
}

/** The error handling of one provider call, shared by the OpenAI and Anthropic models. */
export function providerCall(
  context: Omit<ProviderErrorContext, "nowMs">,
  now: () => number,
): ProviderCall {
  return {
    throwIfCancelled() {
      if (context.signal?.aborted) {
        throw new CancelledError(
          `The call to ${context.provider}:${context.modelId} was cancelled`,
        );
      }
    },
    fail: (error) => toWriteItError(error, { ...context, nowMs: now() }),
  };
}

/** Converts any failure of a provider call into a WriteIt error. */
export function toWriteItError(error: unknown, context: ProviderErrorContext): WriteItError {
  if (error instanceof WriteItError) return error;
  const label = PROVIDER_LABELS[context.provider] ?? context.provider;
  const where = `${context.provider}:${context.modelId}`;
  if (context.signal?.aborted) {
    return new CancelledError(`The call to ${where} was cancelled`, { cause: error });
  }
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? "";
  if (isSdkError(error, "APIUserAbortError") || name === "AbortError") {
    return new CancelledError(`The call to ${where} was aborted`, { cause: error });
  }
  if (isSdkError(error, "APIConnectionTimeoutError")) {
    return new RetryableError(
      `${
        capitalized(label)
      } did not answer in time for "${context.modelId}": the request timed out`,
      {
        cause: error,
        code: "timeout",
      },
    );
  }
  if (isSdkError(error, "APIConnectionError") || isSdkError(error, "RetryableError")) {
    return new RetryableError(
      `Cannot connect to ${label} for "${context.modelId}": ${
        shape.message ?? "connection error"
      } (check the base URL and the network)`,
      { cause: error, code: "connection_error" },
    );
  }
  if (error instanceof SyntaxError) {
    return new ProviderError(
      context.provider,
      `${
        capitalized(label)
      } sent a malformed stream for "${context.modelId}" (an event that is not valid JSON): check that the base URL points at a real ${
        context.provider === "local" ? "OpenAI-compatible" : label
      } API`,
      { cause: error, code: "malformed_stream" },
    );
  }
  if (typeof shape.status === "number") {
    const status = shape.status;
    const { message } = serverMessage(shape);
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(shape.headers, context.nowMs);
      const code = status === 429 ? "rate_limited" : status === 529 ? "overloaded" : "server_error";
      const what = status === 429
        ? "rate limited the call"
        : status === 529
        ? "is overloaded"
        : `failed with status ${status}`;
      return new RetryableError(
        `${capitalized(label)} ${what} for "${context.modelId}" (${status}): ${message}`,
        {
          cause: error,
          status,
          retryAfterMs,
          code,
        },
      );
    }
    const keyHint = context.apiKeyVariable
      ? `check ${context.apiKeyVariable}`
      : "check the API key";
    const fix = status === 401
      ? `the API key was rejected: ${keyHint}`
      : status === 403
      ? `the API key may not use this model: ${keyHint} and the account's access`
      : status === 404
      ? `the model or endpoint was not found: check the model name "${context.modelId}" and the base URL`
      : `the request was refused: ${message}`;
    const code = status === 401
      ? "authentication_failed"
      : status === 403
      ? "permission_denied"
      : status === 404
      ? "model_not_found"
      : "bad_request";
    return new ProviderError(
      context.provider,
      `${capitalized(label)} returned ${status} for "${context.modelId}" (${message}); ${fix}`,
      { cause: error, status, code },
    );
  }
  if (isSdkError(error, "APIError")) {
    const { message, type } = serverMessage(shape);
    if (type && FATAL_ERROR_TYPES.has(type)) {
      return new ProviderError(
        context.provider,
        `${
          capitalized(label)
        } reported "${type}" inside the stream for "${context.modelId}": ${message}`,
        { cause: error, code: "stream_error" },
      );
    }
    return new RetryableError(
      `${capitalized(label)} sent an error event inside the stream for "${context.modelId}" (${
        type ?? "error"
      }: ${message}): the stream ended early`,
      { cause: error, code: "stream_error" },
    );
  }
  if (error instanceof TypeError) {
    return new RetryableError(
      `The stream from ${where} ended early: the connection broke (${error.message})`,
      { cause: error, code: "stream_interrupted" },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(context.provider, `The call to ${where} failed: ${message}`, {
    cause: error,
  });
}

/** The error for a stream that closed before its end marker. */
export function streamEndedEarly(
  provider: string,
  modelId: string,
  missing: string,
): RetryableError {
  return new RetryableError(
    `The stream from ${provider}:${modelId} ended early, without ${missing}: the connection was cut; the partial answer was discarded`,
    { code: "stream_interrupted" },
  );
}
