/**
 * Structured JSON logs: one object per line, `{ time, level, message, …fields }`,
 * with anything that looks like an API key or bearer token redacted; and the
 * request-log middleware that gives every request an id (`X-Request-Id`,
 * `context.get("requestId")`) and logs one line when it ends — method, route
 * pattern, path, status, duration and workspace. Headers, query strings and
 * bodies are never logged.
 *
 * @example
 * ```ts
 * const logger = createLogger((line) => console.log(line));
 * app.use(requestLog(logger));
 * logger.info("Server listening", { port: 8000 });
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { routePattern } from "./metrics.ts";

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Extra fields of a log line; strings are redacted, errors become `{ name, message, code, stack }`. */
export type LogFields = Record<string, unknown>;

/** Writes structured log lines. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Wall clock (default `() => new Date()`). */
  now?: () => Date;
  /** Fields added to every line. */
  fields?: LogFields;
}

const LEVELS: Record<LogLevel, number> = { debug: -1, info: 0, warn: 1, error: 2 };

/** Keys the logger owns; fields cannot override them. */
const RESERVED = new Set(["time", "level", "message"]);

const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]"],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-[redacted]"],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, "[redacted]"],
  [/\bbearer\.[A-Za-z0-9._~+/=-]+/g, "bearer.[redacted]"],
  [
    /\b((?:api[_-]?key|token|access[_-]?token|secret|password)["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi,
    "$1[redacted]",
  ],
];

/**
 * Removes what looks like a credential from text: `sk-…` keys (OpenAI,
 * Anthropic), `AIza…` keys, `Bearer …` tokens, `bearer.<token>` WebSocket
 * subprotocols and `api_key=`/`token=`/`password=` assignments.
 */
export function redactSecrets(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
}

/** Makes a value safe to log: redacted strings, errors as plain objects, no cycles, no bigint. */
function sanitize(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  if (depth > 8) return "[nested too deep]";
  seen.add(value);
  try {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return {
        name: value.name,
        message: redactSecrets(value.message),
        ...(typeof code === "string" ? { code } : {}),
        ...(value.stack ? { stack: redactSecrets(value.stack) } : {}),
        ...(value.cause !== undefined ? { cause: sanitize(value.cause, seen, depth + 1) } : {}),
      };
    }
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((item) => sanitize(item, seen, depth + 1));
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = sanitize(item, seen, depth + 1);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

/**
 * A logger writing one JSON object per line to `sink`. Never throws: a sink
 * failure is swallowed, since logging must not break a request.
 */
export function createLogger(sink: (line: string) => void, options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LEVELS[level] < threshold) return;
    const line: Record<string, unknown> = {
      time: now().toISOString(),
      level,
      message: redactSecrets(String(message)),
    };
    const extra = sanitize({ ...base, ...fields }, new WeakSet(), 0) as Record<string, unknown>;
    for (const [key, value] of Object.entries(extra)) {
      if (value !== undefined && !RESERVED.has(key)) line[key] = value;
    }
    try {
      sink(JSON.stringify(line));
    } catch {
      // Logging must never break the caller.
    }
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger(sink, { ...options, fields: { ...base, ...fields } }),
  };
}

/** The context variables {@link requestLog} sets. */
export interface RequestLogVariables {
  /** This request's id, also sent back as `X-Request-Id`. */
  requestId: string;
}

/** Hono environment for apps and handlers that read `context.get("requestId")`. */
export interface RequestLogEnv {
  Variables: RequestLogVariables;
}

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
  }
}

/** Options of {@link requestLog}. */
export interface RequestLogOptions {
  /** New request ids (default `crypto.randomUUID`). */
  generateId?: () => string;
  /** Monotonic clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Paths not logged (their ids are still assigned), such as `/health` and `/metrics`. */
  skip?: (path: string) => boolean;
}

/** Sets the response header, except on a WebSocket upgrade (101) whose response cannot be rebuilt. */
function setRequestIdHeader(context: Context, requestId: string): void {
  if (context.res.status === 101) return;
  try {
    context.header("X-Request-Id", requestId);
  } catch {
    // An immutable response (rare) keeps its headers; the log line still has the id.
  }
}

const INCOMING_ID = /^[A-Za-z0-9._-]{1,128}$/;
const WORKSPACE_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** The workspace a request names: `/api/workspaces/{name}/…` or `?workspace=name` (WebSocket). */
export function workspaceOfRequest(path: string, workspaceQuery?: string): string | undefined {
  const match = /^\/api\/workspaces\/([^/]+)/.exec(path);
  let candidate = match?.[1] ?? workspaceQuery;
  if (candidate === undefined) return undefined;
  try {
    candidate = decodeURIComponent(candidate);
  } catch {
    return undefined;
  }
  return WORKSPACE_NAME.test(candidate) ? candidate : undefined;
}

/**
 * A middleware that assigns the request id (an incoming `X-Request-Id` when
 * it matches `[A-Za-z0-9._-]{1,128}`, else a new UUID), sets it on the
 * response and in `context.get("requestId")`, and logs one line per request:
 * `error` for 5xx (with the error the app's `onError` saw), `warn` for 4xx,
 * `info` otherwise. Mount it first so it sees the final status.
 */
export function requestLog(
  logger: Logger,
  options: RequestLogOptions = {},
): MiddlewareHandler<RequestLogEnv> {
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => performance.now());
  return async function logRequest(context, next) {
    const started = now();
    const incoming = context.req.header("x-request-id");
    const requestId = incoming !== undefined && INCOMING_ID.test(incoming)
      ? incoming
      : generateId();
    context.set("requestId", requestId);
    try {
      await next();
    } finally {
      setRequestIdHeader(context, requestId);
      const path = context.req.path;
      if (!options.skip?.(path)) {
        const status = context.res.status;
        const workspace = workspaceOfRequest(path, context.req.query("workspace"));
        const fields: LogFields = {
          requestId,
          method: context.req.method,
          route: routePattern(context),
          path: redactSecrets(path),
          status,
          durationMs: Math.round(Math.max(0, now() - started) * 1000) / 1000,
          ...(workspace ? { workspace } : {}),
        };
        if (status >= 500) {
          logger.error("Request failed", { ...fields, error: context.error });
        } else if (status >= 400) {
          logger.warn("Request refused", fields);
        } else {
          logger.info("Request handled", fields);
        }
      }
    }
  };
}
