/**
 * `writeit doctor`'s view of the providers: for each one, whether it is
 * configured (and which variable to set when it is not), and whether it
 * answers — a free request (listing models) with a short time-out and no
 * retries, through the same SDKs the models use. Never sends a prompt, never
 * spends tokens, never prints a key.
 *
 * @example
 * ```ts
 * const report = await checkProviders(settings, { timeoutMs: 3000 });
 * ```
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { toWriteItError } from "./provider_errors.ts";
import {
  DEFAULT_ANTHROPIC_BASE_URL,
  DEFAULT_LOCAL_BASE_URL,
  DEFAULT_OPENAI_BASE_URL,
  PROVIDER_ENVIRONMENT,
  type ProviderSettings,
} from "./provider_settings.ts";

/** One provider's state. */
export interface ProviderCheck {
  provider: "openai" | "anthropic" | "local" | "offline";
  /** Has what it needs to be called (a key; for `local`, a base URL that was set). */
  configured: boolean;
  baseUrl?: string;
  /** Variable to set when it is not configured. */
  missing?: string;
  /** Whether it answered; undefined when not checked. */
  answers?: boolean;
  latencyMs?: number;
  /** How many models it listed. */
  models?: number;
  /** Why it did not answer. */
  error?: string;
}

/** Options for `checkProviders`. */
export interface ProviderCheckOptions {
  /** Per provider (default 5000 ms). */
  timeoutMs?: number;
  /** Clock for latencies (default performance.now). */
  clock?: () => number;
  /** Also probe the local server when its base URL is the default (default true). */
  probeDefaultLocal?: boolean;
}

async function probe(
  check: ProviderCheck,
  list: () => Promise<number>,
  clock: () => number,
): Promise<ProviderCheck> {
  const started = clock();
  try {
    const models = await list();
    return { ...check, answers: true, models, latencyMs: Math.round(clock() - started) };
  } catch (error) {
    // Retry-After dates do not matter here: nothing is retried.
    const converted = toWriteItError(error, {
      provider: check.provider,
      modelId: "(models list)",
      nowMs: 0,
    });
    return {
      ...check,
      answers: false,
      error: converted.message,
      latencyMs: Math.round(clock() - started),
    };
  }
}

async function countPages(pages: AsyncIterable<unknown>, limit = 1000): Promise<number> {
  let count = 0;
  for await (const _ of pages) if (++count >= limit) break;
  return count;
}

/** Checks every provider in parallel. */
export async function checkProviders(
  settings: ProviderSettings,
  options: ProviderCheckOptions = {},
): Promise<ProviderCheck[]> {
  const timeout = options.timeoutMs ?? 5000;
  const clock = options.clock ?? (() => performance.now());
  const checks: Promise<ProviderCheck>[] = [];

  const openaiUrl = settings.openai.baseUrl ?? DEFAULT_OPENAI_BASE_URL;
  if (settings.openai.apiKey) {
    const client = new OpenAI({
      apiKey: settings.openai.apiKey,
      baseURL: openaiUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout,
      logLevel: "off",
    });
    checks.push(
      probe(
        { provider: "openai", configured: true, baseUrl: openaiUrl },
        () => countPages(client.models.list()),
        clock,
      ),
    );
  } else {
    checks.push(Promise.resolve({
      provider: "openai",
      configured: false,
      baseUrl: openaiUrl,
      missing: PROVIDER_ENVIRONMENT.openai.apiKey,
    }));
  }

  const anthropicUrl = settings.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL;
  if (settings.anthropic.apiKey) {
    const client = new Anthropic({
      apiKey: settings.anthropic.apiKey,
      authToken: null,
      baseURL: anthropicUrl,
      maxRetries: 0,
      timeout,
      logLevel: "off",
    });
    checks.push(
      probe(
        { provider: "anthropic", configured: true, baseUrl: anthropicUrl },
        () => countPages(client.models.list()),
        clock,
      ),
    );
  } else {
    checks.push(Promise.resolve({
      provider: "anthropic",
      configured: false,
      baseUrl: anthropicUrl,
      missing: PROVIDER_ENVIRONMENT.anthropic.apiKey,
    }));
  }

  const localUrl = settings.local.baseUrl ?? DEFAULT_LOCAL_BASE_URL;
  const localConfigured = localUrl !== DEFAULT_LOCAL_BASE_URL || Boolean(settings.local.apiKey);
  const local: ProviderCheck = {
    provider: "local",
    configured: localConfigured,
    baseUrl: localUrl,
    missing: localConfigured ? undefined : PROVIDER_ENVIRONMENT.local.baseUrl,
  };
  if (localConfigured || options.probeDefaultLocal !== false) {
    const client = new OpenAI({
      apiKey: settings.local.apiKey ?? "not-needed",
      baseURL: localUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: Math.min(timeout, localConfigured ? timeout : 1500),
      logLevel: "off",
    });
    checks.push(probe(local, () => countPages(client.models.list()), clock));
  } else checks.push(Promise.resolve(local));

  checks.push(Promise.resolve({ provider: "offline", configured: true, answers: true, models: 1 }));
  return await Promise.all(checks);
}
