/**
 * Configuration, resolved once. Layers, later wins: built-in defaults →
 * `<home>/config.yaml` → the workspace's `config.yaml` → `WRITEIT_*` (and
 * provider) environment variables → command-line flags. Environment
 * variables are read only here. Every resolved value remembers where it came
 * from, for `writeit config list`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Document, isMap, parseDocument } from "yaml";
import { ValidationError } from "./engine/errors.ts";
import { didYouMean } from "./engine/did_you_mean.ts";
import { MAX_CONCURRENT_PIPELINES } from "./engine/concurrency_limits.ts";
import { withLineFeeds } from "./engine/yaml_locations.ts";
import { processEnvironment } from "./environment.ts";

/** Where a value came from. */
export type ConfigSource = "default" | "global" | "workspace" | "environment" | "flag";

type ValueType = "string" | "number" | "boolean" | "secret";

interface KeySpec {
  type: ValueType;
  default?: string | number | boolean;
  env?: string;
  help: string;
  /** Allowed values for strings. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Said after a value out of range: what the limit means, and what to change instead. */
  limitHint?: string;
}

/** Every fixed configuration key. Keys under `prices.` and `models.` are open maps. */
export const CONFIG_KEYS: Record<string, KeySpec> = {
  "providers.openai.api_key": { type: "secret", env: "OPENAI_API_KEY", help: "OpenAI API key" },
  "providers.openai.base_url": {
    type: "string",
    env: "OPENAI_BASE_URL",
    help: "OpenAI API base URL (any OpenAI-compatible server)",
  },
  "providers.anthropic.api_key": {
    type: "secret",
    env: "ANTHROPIC_API_KEY",
    help: "Anthropic API key",
  },
  "providers.anthropic.base_url": {
    type: "string",
    env: "ANTHROPIC_BASE_URL",
    help: "Anthropic API base URL",
  },
  "providers.local.base_url": {
    type: "string",
    env: "WRITEIT_LOCAL_BASE_URL",
    default: "http://localhost:11434/v1",
    help:
      "Base URL of a local OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio) for local: models",
  },
  "providers.local.api_key": {
    type: "secret",
    env: "WRITEIT_LOCAL_API_KEY",
    help: "API key for the local server, if it needs one",
  },
  "model.default": {
    type: "string",
    env: "WRITEIT_MODEL",
    help: "Model used for every step instead of the pipeline's (like --model)",
  },
  "style.default": {
    type: "string",
    env: "WRITEIT_STYLE",
    help: "Style primer attached to runs that name none",
  },
  "cache.enabled": {
    type: "boolean",
    default: true,
    env: "WRITEIT_CACHE",
    help: "Cache LLM responses",
  },
  "cache.ttl_hours": {
    type: "number",
    default: 24,
    env: "WRITEIT_CACHE_TTL_HOURS",
    min: 0,
    help: "Hours a cached response stays valid",
  },
  "cache.replay_pace": {
    type: "boolean",
    default: false,
    env: "WRITEIT_CACHE_REPLAY_PACE",
    help: "Stream a cached answer at the pace the live one arrived (else at once)",
  },
  "cache.memory_entries": {
    type: "number",
    default: 1000,
    min: 0,
    help: "Most responses kept in the in-process cache",
  },
  "cache.memory_mb": {
    type: "number",
    default: 64,
    min: 0,
    help: "Most megabytes kept in the in-process cache",
  },
  "budget.run_usd": {
    type: "number",
    env: "WRITEIT_BUDGET_RUN_USD",
    min: 0,
    help: "Stop a run before it spends more than this many dollars",
  },
  "budget.workspace_usd": {
    type: "number",
    env: "WRITEIT_BUDGET_WORKSPACE_USD",
    min: 0,
    help: "Refuse calls once the workspace has spent this many dollars",
  },
  "llm.max_attempts": {
    type: "number",
    default: 4,
    min: 1,
    max: 10,
    help: "Attempts per model call before moving to the next model",
  },
  "llm.first_byte_timeout_ms": {
    type: "number",
    default: 60000,
    min: 1,
    help: "Milliseconds to wait for a model's first streamed chunk before the attempt fails",
  },
  "llm.idle_timeout_ms": {
    type: "number",
    default: 30000,
    min: 1,
    help: "Milliseconds a stream may stay silent between chunks before the attempt fails",
  },
  "providers.max_retry_after_seconds": {
    type: "number",
    default: 60,
    min: 0,
    help:
      "Longest Retry-After a provider may ask for; a longer one is not waited for (the next model in model_preference is tried)",
  },
  "preferences.auto_save": {
    type: "boolean",
    default: true,
    help: "Save completed runs to the workspace's outputs/",
  },
  "preferences.streaming_buffer_size": {
    type: "number",
    default: 1,
    min: 1,
    help: "Characters batched per streamed update to terminals and sockets",
  },
  "preferences.max_concurrent_pipelines": {
    type: "number",
    default: 4,
    min: 1,
    max: MAX_CONCURRENT_PIPELINES,
    help:
      `Runs one process drives at once (1–${MAX_CONCURRENT_PIPELINES}; a server may go well past the seed's 10)`,
    limitHint:
      "runs past the limit wait their turn; for more model calls at once raise preferences.max_concurrent_calls",
  },
  "preferences.max_concurrent_calls": {
    type: "number",
    default: 16,
    min: 1,
    max: 1024,
    help: "Model calls in flight at once across all runs",
  },
  "preferences.export_format": {
    type: "string",
    default: "md",
    choices: ["md", "json", "yaml", "html"],
    help: "Default export format",
  },
  "preferences.theme": {
    type: "string",
    default: "auto",
    choices: ["auto", "light", "dark"],
    help: "Dashboard and terminal colour theme",
  },
  "events.snapshot_every": {
    type: "number",
    default: 100,
    min: 1,
    help: "Events between state snapshots",
  },
  "storage.backend": {
    type: "string",
    default: "lmdb",
    choices: ["lmdb", "postgres"],
    env: "WRITEIT_STORAGE",
    help: "Where workspaces keep runs, cache, leases and library: lmdb (embedded) or postgres",
  },
  "storage.url": {
    type: "secret",
    env: "WRITEIT_DATABASE_URL",
    help: "Database URL of a shared backend (postgres://…); empty for the embedded LMDB",
  },
  "server.host": { type: "string", default: "127.0.0.1", help: "Address the server binds to" },
  "server.log_level": {
    type: "string",
    default: "info",
    choices: ["debug", "info", "warn", "error"],
    env: "WRITEIT_LOG_LEVEL",
    help: "Lowest level of the server's log lines: debug, info (every request), warn or error",
  },
  "server.port": {
    type: "number",
    default: 8484,
    min: 0,
    max: 65535,
    env: "WRITEIT_PORT",
    help: "Port the server listens on",
  },
  "server.token": {
    type: "secret",
    env: "WRITEIT_API_TOKEN",
    help: "Bearer token required by the API (required when binding beyond loopback)",
  },
  "server.cors_origins": {
    type: "string",
    env: "WRITEIT_CORS_ORIGINS",
    help: "Comma-separated origins allowed to call the API from a browser (default: none)",
  },
  "server.allowed_hosts": {
    type: "string",
    env: "WRITEIT_ALLOWED_HOSTS",
    help:
      "Comma-separated Host names (name or name:port) the server answers to besides localhost, 127.0.0.1 and [::1] (default: none)",
  },
  "server.rate_limit_per_minute": {
    type: "number",
    default: 1200,
    min: 0,
    env: "WRITEIT_RATE_LIMIT_PER_MINUTE",
    help: "API requests per minute per workspace before 429 (0: no limit)",
  },
  "server.header_timeout_seconds": {
    type: "number",
    default: 20,
    min: 1,
    help: "Seconds a request's headers (and each pause in its body) may take before 408",
  },
  "server.idle_timeout_seconds": {
    type: "number",
    default: 60,
    min: 1,
    help: "Seconds an HTTP connection may stay open with no request before it is closed",
  },
  "server.max_connections": {
    type: "number",
    default: 4096,
    min: 1,
    help: "Open HTTP connections (WebSockets included) before new ones get 503",
  },
  "server.max_body_kb": {
    type: "number",
    default: 1024,
    min: 1,
    help: "Largest API request body in KiB",
  },
};

/** Open maps: `prices.<model>.input|output` ($ per million tokens), `models.<step>` (default model per step). */
const OPEN_PREFIXES: Record<string, { type: ValueType; help: string; pattern: RegExp }> = {
  "prices.": {
    type: "number",
    help: "Price in dollars per million tokens",
    pattern: /^prices\.[^.]+(\.[^.]+)*\.(input|output)$/,
  },
  "models.": {
    type: "string",
    help: "Default model for a step id",
    pattern: /^models\.[A-Za-z][A-Za-z0-9_]*$/,
  },
};

/** A resolved value and where it came from. */
export interface ConfigEntry {
  key: string;
  value: string | number | boolean | undefined;
  source: ConfigSource;
  secret: boolean;
  help: string;
}

/** The resolved configuration. */
export interface ResolvedConfig {
  entries: Map<string, ConfigEntry>;
  get<T extends string | number | boolean>(key: string): T | undefined;
  /** Values under a prefix, keys without the prefix: `section("prices.")`. */
  section(prefix: string): Record<string, string | number | boolean>;
  /** Provider variables in the shape of the environment, for the LLM layer. */
  providerEnvironment(): Record<string, string | undefined>;
}

/** Inputs to resolution. */
export interface ResolveOptions {
  home: string;
  /** Workspace root folder, when a workspace is selected. */
  workspaceRoot?: string;
  /** The environment (defaults to `processEnvironment()`). */
  env?: Record<string, string | undefined>;
  /** Command-line overrides by key. */
  flags?: Record<string, string | number | boolean | undefined>;
}

function specFor(key: string): KeySpec | undefined {
  const fixed = CONFIG_KEYS[key];
  if (fixed) return fixed;
  for (const [prefix, open] of Object.entries(OPEN_PREFIXES)) {
    if (key.startsWith(prefix) && open.pattern.test(key)) {
      return { type: open.type, help: open.help };
    }
  }
  return undefined;
}

/** Throws a ValidationError with a "did you mean" when `key` is not a configuration key. */
export function assertConfigKey(key: string, where = ""): void {
  if (!specFor(key)) throw unknownKey(key, where);
}

/** Whether `key` holds a secret (never printed). */
export function isSecretKey(key: string): boolean {
  return specFor(key)?.type === "secret";
}

/** Checks and converts one value for `key`; throws ValidationError with the fix. */
export function parseConfigValue(
  key: string,
  raw: unknown,
  where: string,
): string | number | boolean {
  const spec = specFor(key);
  if (!spec) throw unknownKey(key, where);
  const fail = (expected: string) =>
    new ValidationError(
      `Invalid value ${JSON.stringify(raw)} for "${key}"${
        where ? ` in ${where}` : ""
      }: expected ${expected}`,
      [
        { severity: "error", message: `expected ${expected}`, path: key, file: where || undefined },
      ],
    );
  if (spec.type === "number") {
    const value = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (String(raw).trim() === "" || !Number.isFinite(value)) throw fail("a number");
    if (spec.min !== undefined && value < spec.min) throw fail(`a number of at least ${spec.min}`);
    if (spec.max !== undefined && value > spec.max) {
      throw fail(`a number of at most ${spec.max}${spec.limitHint ? ` (${spec.limitHint})` : ""}`);
    }
    return value;
  }
  if (spec.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    const text = String(raw).trim().toLowerCase();
    if (["true", "yes", "on", "1"].includes(text)) return true;
    if (["false", "no", "off", "0"].includes(text)) return false;
    throw fail("true or false");
  }
  const text = String(raw);
  if (spec.choices && !spec.choices.includes(text)) throw fail(`one of ${spec.choices.join(", ")}`);
  return text;
}

function unknownKey(key: string, where: string): ValidationError {
  const suggestion = didYouMean(key, Object.keys(CONFIG_KEYS));
  const hint = suggestion
    ? `did you mean "${suggestion}"?`
    : "see `writeit config list` for every key";
  return new ValidationError(
    `Unknown configuration key "${key}"${where ? ` in ${where}` : ""}: ${hint}`,
    [
      {
        severity: "error",
        message: `unknown key`,
        path: key,
        file: where || undefined,
        suggestion,
      },
    ],
  );
}

/** Parses a config file's text; a located ValidationError when it is not a YAML mapping. */
function parseConfigDocument(path: string, text: string): Document.Parsed {
  const document = parseDocument(withLineFeeds(text));
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const message = error.message.split("\n")[0];
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [];
    throw new ValidationError(
      `Cannot read ${path}${line ? `:${line}:${column}` : ""}: ${message}`,
      [{ severity: "error", message, path: "", file: path, line, column }],
    );
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw new ValidationError(`Cannot read ${path}: the file must be a mapping of keys to values`);
  }
  return document;
}

/** Flattens a YAML config file into dotted keys. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const document = parseConfigDocument(path, readFileSync(path, "utf8"));
  const flat: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        walk(inner, prefix ? `${prefix}.${key}` : key);
      }
    } else if (prefix) flat[prefix] = value;
  };
  walk(document.toJS() ?? {}, "");
  return flat;
}

/** Writes `key: value` into a YAML config file (or removes it when value is undefined), keeping comments. */
export function writeConfigValue(path: string, key: string, value: unknown): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  // A file with errors is reported, never rewritten.
  const parsed = parseConfigDocument(path, text);
  const document = parsed.contents === null ? new Document({}) : parsed;
  if (document !== parsed) document.commentBefore = parsed.commentBefore ?? parsed.comment;
  const segments = key.split(".");
  if (value === undefined) document.deleteIn(segments);
  else document.setIn(segments, value);
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  // Config files may hold API keys and tokens: readable by their owner only.
  writeFileSync(temporary, document.toString(), { mode: 0o600 });
  renameSync(temporary, path);
}

export {
  colourDisabled,
  debugEnabled,
  type Environment,
  processEnvironment,
} from "./environment.ts";

/** Resolves every layer into one configuration. */
export function resolveConfig(options: ResolveOptions): ResolvedConfig {
  const env = options.env ?? processEnvironment();
  const entries = new Map<string, ConfigEntry>();
  const set = (key: string, raw: unknown, source: ConfigSource, where: string) => {
    const spec = specFor(key);
    if (!spec) throw unknownKey(key, where);
    entries.set(key, {
      key,
      value: parseConfigValue(key, raw, where),
      source,
      secret: spec.type === "secret",
      help: spec.help,
    });
  };
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    entries.set(key, {
      key,
      value: spec.default,
      source: "default",
      secret: spec.type === "secret",
      help: spec.help,
    });
  }
  const globalPath = join(options.home, "config.yaml");
  for (const [key, value] of Object.entries(readConfigFile(globalPath))) {
    if (value !== null) set(key, value, "global", globalPath);
  }
  if (options.workspaceRoot) {
    const workspacePath = join(options.workspaceRoot, "config.yaml");
    for (const [key, value] of Object.entries(readConfigFile(workspacePath))) {
      if (value !== null) set(key, value, "workspace", workspacePath);
    }
  }
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value !== undefined && value !== "") set(key, value, "environment", `$${spec.env}`);
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined) set(key, value, "flag", "");
  }
  return {
    entries,
    get<T extends string | number | boolean>(key: string) {
      return entries.get(key)?.value as T | undefined;
    },
    section(prefix: string) {
      const result: Record<string, string | number | boolean> = {};
      for (const [key, entry] of entries) {
        if (key.startsWith(prefix) && entry.value !== undefined) {
          result[key.slice(prefix.length)] = entry.value;
        }
      }
      return result;
    },
    providerEnvironment() {
      const result: Record<string, string | undefined> = {};
      for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        if (key.startsWith("providers.") && spec.env) {
          const value = entries.get(key)?.value;
          result[spec.env] = value === undefined ? undefined : String(value);
        }
      }
      return result;
    },
  };
}

/** Which backend workspaces are stored in. */
export type StorageSettings =
  | { backend: "lmdb" }
  | {
    backend: "postgres";
    /** The database URL (with its credentials: show it through a redaction only). */
    url: string;
    /** Where the URL was set, for messages ("WRITEIT_DATABASE_URL", "the global configuration"). */
    urlSource: string;
  };

/**
 * The storage settings of `config`: `storage.backend` (default lmdb) and
 * `storage.url`. A `postgres://` URL selects the PostgreSQL backend (unless
 * storage.backend says lmdb explicitly, which is a contradiction to fix);
 * `storage.backend: postgres` needs such a URL. ValidationError naming the
 * setting and where it was set otherwise.
 */
export function storageSettings(config: ResolvedConfig): StorageSettings {
  const backend = config.entries.get("storage.backend");
  const url = config.entries.get("storage.url");
  const urlText = url?.value === undefined ? "" : String(url.value).trim();
  const source = (entry: ConfigEntry | undefined) =>
    entry?.source === "environment"
      ? String(CONFIG_KEYS[entry.key].env)
      : entry?.source === "flag"
      ? "the command line"
      : `the ${entry?.source ?? "default"} configuration`;
  const where = (entry: ConfigEntry | undefined) =>
    entry && entry.source !== "default" ? ` (from ${source(entry)})` : "";
  const refuse = (key: string, message: string) =>
    new ValidationError(message, [{ severity: "error", message, path: key }]);
  const explicitLmdb = backend?.value === "lmdb" && backend.source !== "default";
  if (/^postgres(ql)?:\/\//i.test(urlText)) {
    if (explicitLmdb) {
      throw refuse(
        "storage.backend",
        `storage.backend is "lmdb"${where(backend)} but storage.url${
          where(url)
        } is a postgres:// URL: unset storage.url to stay on LMDB, or set storage.backend to "postgres"`,
      );
    }
    return { backend: "postgres", url: urlText, urlSource: source(url) };
  }
  if (urlText !== "") {
    throw refuse(
      "storage.url",
      `storage.url${
        where(url)
      } is not a database URL WriteIt knows: use postgres://user:password@host:5432/database, or unset it to use the embedded LMDB backend`,
    );
  }
  if (backend?.value === "postgres") {
    throw refuse(
      "storage.url",
      `storage.backend is "postgres"${
        where(backend)
      } but no database is given: set storage.url or WRITEIT_DATABASE_URL to postgres://user:password@host:5432/database (or pass --database to writeit serve), or unset storage.backend to use the embedded LMDB backend`,
    );
  }
  return { backend: "lmdb" };
}
