/**
 * The providers WriteIt can call, open to more: each is a
 * `ProviderDefinition` (one module per provider under `providers/`), and the
 * registry resolves a model name to the provider that claims it. Resolution,
 * first match wins: an explicit `<prefix>:` (`openai:`, `local:`, `offline:`,
 * or one a provider added), then a whole-name alias (`offline`), then the
 * bare prefixes and patterns in registration order (`gpt-*`, `o3-mini`,
 * `claude-*`). A name nobody claims is a `ConfigurationError` that offers the
 * registered providers' prefixes. Registering a second provider with a name,
 * prefix or alias already taken is a `TypeError`.
 *
 * @example
 * ```ts
 * const registry = builtInProviders();
 * registry.register({ name: "echo", create: (modelId) => createEchoModel(modelId) });
 * registry.resolve("echo:loud"); // { provider: "echo", modelId: "loud", name: "echo:loud" }
 * registry.resolve("claude-sonnet-4"); // { provider: "anthropic", modelId: "claude-sonnet-4", … }
 * ```
 */
import { ConfigurationError } from "../errors.ts";
import { anthropicProvider } from "./providers/anthropic.ts";
import { localProvider } from "./providers/local.ts";
import { offlineProvider } from "./providers/offline.ts";
import { openaiProvider } from "./providers/openai.ts";
import type { ProviderDefinition, ResolvedModelName } from "./providers/provider_definition.ts";

/** The built-in providers, in the order `writeit doctor` lists them. */
export const BUILT_IN_PROVIDERS: readonly ProviderDefinition[] = [
  openaiProvider,
  anthropicProvider,
  localProvider,
  offlineProvider,
];

/** A resolved model name with the definition that serves it. */
export interface ProviderModel extends ResolvedModelName {
  definition: ProviderDefinition;
}

const NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** Providers by name, and the model names each claims. */
export class ProviderRegistry {
  readonly #definitions: ProviderDefinition[] = [];
  /** `<prefix>:` (lower case) → definition. */
  readonly #explicit = new Map<string, ProviderDefinition>();
  /** Bare prefix (lower case) → definition. */
  readonly #bare = new Map<string, ProviderDefinition>();
  readonly #aliases = new Map<string, ProviderDefinition>();

  /** A registry holding `definitions`, registered in order. */
  constructor(definitions: readonly ProviderDefinition[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  /**
   * Adds a provider. Throws `TypeError` when its name is not lower-case
   * letters, digits, `-` and `_`, or when its name, a prefix or an alias is
   * already claimed.
   */
  register(definition: ProviderDefinition): this {
    const { name } = definition;
    if (!NAME_PATTERN.test(name)) {
      throw new TypeError(
        `Provider name "${name}" is not valid: use lower-case letters, digits, "-" and "_", starting with a letter`,
      );
    }
    if (this.get(name)) {
      throw new TypeError(
        `Provider "${name}" is already registered: give the new one another name`,
      );
    }
    const explicit = new Set([`${name}:`]);
    const bare = new Set<string>();
    for (const prefix of definition.prefixes ?? []) {
      const lower = prefix.toLowerCase();
      if (!lower || lower === ":") {
        throw new TypeError(
          `Provider "${name}" claims an empty prefix: name what its models start with`,
        );
      }
      if (lower.endsWith(":")) {
        if (lower.indexOf(":") !== lower.length - 1) {
          throw new TypeError(
            `Prefix "${prefix}" of provider "${name}" has a ":" before its end: a prefix may hold one ":", as its last character`,
          );
        }
        explicit.add(lower);
      } else bare.add(lower);
    }
    for (const prefix of explicit) this.#refuseClaimed(name, prefix, this.#explicit.get(prefix));
    for (const prefix of bare) this.#refuseClaimed(name, prefix, this.#bare.get(prefix));
    for (const alias of definition.aliases ?? []) {
      this.#refuseClaimed(name, alias, this.#aliases.get(alias));
    }
    this.#definitions.push(definition);
    for (const prefix of explicit) this.#explicit.set(prefix, definition);
    for (const prefix of bare) this.#bare.set(prefix, definition);
    for (const alias of definition.aliases ?? []) this.#aliases.set(alias, definition);
    return this;
  }

  /** The provider named `name`, if registered. */
  get(name: string): ProviderDefinition | undefined {
    return this.#definitions.find((definition) => definition.name === name);
  }

  /** Every provider, in registration order. */
  list(): readonly ProviderDefinition[] {
    return [...this.#definitions];
  }

  /** Resolves `name` to its provider; throws `ConfigurationError` (code `unknown_model`) for a name none claims. */
  resolve(name: string): ProviderModel {
    const trimmed = name.trim();
    if (!trimmed) throw this.#emptyName();
    const colon = trimmed.indexOf(":");
    if (colon > 0) {
      const prefix = trimmed.slice(0, colon).toLowerCase();
      const definition = this.#explicit.get(`${prefix}:`);
      if (definition) {
        const modelId = trimmed.slice(colon + 1).trim() || (definition.defaultModelId ?? "");
        if (!modelId) {
          throw new ConfigurationError(
            `Model "${trimmed}" has no model id after "${prefix}:": write it as "${prefix}:<model>"`,
            { code: "unknown_model" },
          );
        }
        return resolved(definition, modelId);
      }
    }
    const aliased = this.#aliases.get(trimmed);
    if (aliased?.defaultModelId) return resolved(aliased, aliased.defaultModelId);
    const lower = trimmed.toLowerCase();
    for (const definition of this.#definitions) {
      const claims = this.#barePrefixesOf(definition).some((prefix) => lower.startsWith(prefix)) ||
        (definition.patterns ?? []).some((pattern) => pattern.test(trimmed));
      if (claims) return resolved(definition, trimmed);
    }
    throw this.#unknownName(trimmed);
  }

  #refuseClaimed(name: string, claim: string, owner: ProviderDefinition | undefined): void {
    if (!owner) return;
    throw new TypeError(
      `Provider "${name}" claims "${claim}", which provider "${owner.name}" already claims: choose another prefix or alias`,
    );
  }

  #emptyName(): ConfigurationError {
    const examples = this.#definitions.flatMap((definition) =>
      definition.example ? [`"${definition.example}"`] : []
    );
    const listed = examples.length > 1
      ? `${examples.slice(0, -1).join(", ")} or ${examples[examples.length - 1]}`
      : examples.join("");
    return new ConfigurationError(
      `A model name is empty: name one${listed ? ` such as ${listed}` : ""}`,
      { code: "unknown_model" },
    );
  }

  #unknownName(name: string): ConfigurationError {
    const offered = this.#definitions.filter((definition) =>
      (definition.offerAs ?? "prefix") === "prefix"
    );
    // A provider whose model names are free-form (a local server) is the likeliest home of a
    // name no pattern claims, so it is offered first.
    const freeForm = offered.filter((definition) => !this.#claimsBareNames(definition));
    const prefixes = [
      ...freeForm,
      ...offered.filter((definition) => !freeForm.includes(definition)),
    ]
      .map((definition) =>
        `"${definition.name}:${name}"${definition.offerNote ? ` ${definition.offerNote}` : ""}`
      );
    const examples = this.#definitions.flatMap((definition) =>
      definition.offerAs === "example" && definition.example ? [`"${definition.example}"`] : []
    );
    const instead = examples.length ? `, or use ${examples.join(" or ")}` : "";
    return new ConfigurationError(
      `Cannot tell which provider serves model "${name}": prefix it, as ${
        prefixes.join(", ")
      }${instead}`,
      { code: "unknown_model" },
    );
  }

  #barePrefixesOf(definition: ProviderDefinition): string[] {
    return [...this.#bare].flatMap(([prefix, owner]) => owner === definition ? [prefix] : []);
  }

  #claimsBareNames(definition: ProviderDefinition): boolean {
    return this.#barePrefixesOf(definition).length > 0 || (definition.patterns?.length ?? 0) > 0;
  }
}

function resolved(definition: ProviderDefinition, modelId: string): ProviderModel {
  return {
    provider: definition.name,
    modelId,
    name: `${definition.name}:${modelId}`,
    definition,
  };
}

/** A new registry holding the built-in providers (OpenAI, Anthropic, local, offline). */
export function builtInProviders(): ProviderRegistry {
  return new ProviderRegistry(BUILT_IN_PROVIDERS);
}
