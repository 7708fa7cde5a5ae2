/**
 * The response cache's key: a SHA-256 over a canonical JSON of what decides
 * an answer — the workspace namespace, provider, model, every message, the
 * generation parameters (temperature, max tokens, response hints), the
 * candidate index and the variant. Never the run id, so a re-run or replay of
 * the same work hits; a regenerate bumps the variant and so misses.
 *
 * @example
 * ```ts
 * cacheKey({ namespace: "default", provider: "openai", modelId: "gpt-4.1", request });
 * ```
 */
import { createHash } from "node:crypto";
import type { ModelRequest } from "../llm/language_model.ts";

/** What the key covers. */
export interface CacheKeyInput {
  /** The workspace (keys never collide across workspaces). */
  namespace: string;
  provider: string;
  modelId: string;
  request: ModelRequest;
}

/** Canonical JSON of the key's parts, in a fixed order (arrays, not objects). */
export function canonicalKeyText(input: CacheKeyInput): string {
  const { request } = input;
  const hints = request.responseHints;
  return JSON.stringify([
    "writeit-cache-v1",
    input.namespace,
    input.provider,
    input.modelId,
    request.messages.map((message) => [message.role, message.content]),
    request.temperature ?? null,
    request.maxTokens ?? null,
    request.candidateIndex,
    request.variant ?? 0,
    hints
      ? [hints.minLength ?? null, hints.maxLength ?? null, hints.requiredElements ?? null]
      : null,
  ]);
}

/** The hex SHA-256 cache key. */
export function cacheKey(input: CacheKeyInput): string {
  return createHash("sha256").update(canonicalKeyText(input)).digest("hex");
}
