/**
 * The error for a provider called without its API key: it names the
 * variable and the config key to set, and the offline models as a way to try
 * WriteIt without one. Never a silent switch to another provider.
 *
 * @example
 * ```ts
 * throw missingApiKey({ variable: "OPENAI_API_KEY", provider: "openai", name: "openai:gpt-4.1" });
 * ```
 */
import { ConfigurationError } from "../../errors.ts";

/** Where the key was missing. */
export interface MissingApiKey {
  /** Environment variable that holds the key. */
  variable: string;
  /** Provider name, for `providers.<provider>.api_key`. */
  provider: string;
  /** Model asked for, as `provider:modelId`. */
  name: string;
}

/** A `ConfigurationError` (code `missing_api_key`) saying how to provide the key. */
export function missingApiKey(missing: MissingApiKey): ConfigurationError {
  return new ConfigurationError(
    `${missing.variable} is not set (needed for "${missing.name}"): export it, or set providers.${missing.provider}.api_key in the workspace config, or use an offline:… model to try WriteIt without a key`,
    { code: "missing_api_key" },
  );
}
