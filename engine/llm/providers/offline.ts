/**
 * The built-in offline model: deterministic, no network, no key, free.
 * `offline:NAME` (any name; `offline` and `offline:` alone are
 * `offline:default`). Reads an optional delay per streamed chunk from the
 * settings.
 *
 * @example
 * ```ts
 * const model = offlineProvider.create("brisk", { name: "offline:brisk", settings, context });
 * ```
 */
import { createOfflineModel } from "../offline_model.ts";
import type { ProviderDefinition } from "./provider_definition.ts";

/** The offline provider. */
export const offlineProvider: ProviderDefinition = {
  name: "offline",
  aliases: ["offline"],
  defaultModelId: "default",
  example: "offline:default",
  offerAs: "example",
  free: true,
  create(modelId, { settings }) {
    return createOfflineModel({ modelId, chunkDelayMs: settings.offline?.chunkDelayMs });
  },
  check() {
    return Promise.resolve({ provider: "offline", configured: true, answers: true, models: 1 });
  },
};
