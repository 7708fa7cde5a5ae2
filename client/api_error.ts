/**
 * Errors the WriteIt client raises. `WriteItApiError` is a refusal from the
 * server: the HTTP status, the `application/problem+json` body (RFC 9457,
 * see protocol/problem.ts) and, for 429, how many seconds to wait
 * (`retryAfter`). `WriteItNetworkError` is a server that could not be
 * reached at all; its message names the URL. Both extend `WriteItError`
 * (engine/errors.ts has no imports, so this stays browser-safe), so the CLI
 * reports them like any other WriteIt error.
 *
 * @example
 * ```ts
 * try {
 *   await client.getRun("nope");
 * } catch (error) {
 *   if (error instanceof WriteItApiError && error.status === 404) console.log(error.problem.detail);
 * }
 * ```
 */
import { WriteItError } from "../engine/errors.ts";
import type { Problem, StaleDetails } from "../protocol/mod.ts";

export type { Problem };

/** Options of `WriteItApiError`. */
export interface ApiErrorOptions {
  /** Seconds the server asked to wait (the `Retry-After` header of a 429 or 503). */
  retryAfter?: number;
  /** The request URL, for the message. */
  url?: string;
  cause?: unknown;
}

function describe(problem: Problem, options: ApiErrorOptions): string {
  const where = options.url ? ` (${problem.status} from ${options.url})` : ` (${problem.status})`;
  const detail = problem.detail || problem.title || "The request was refused";
  if (problem.status === 401) {
    return `${detail}${where}: pass the server's token with --token or WRITEIT_API_TOKEN`;
  }
  if (problem.status === 429 && options.retryAfter !== undefined) {
    return `${detail}${where}: retry after ${options.retryAfter} s`;
  }
  return `${detail}${where}`;
}

/** The server refused a request (any non-2xx answer, or an `error` frame on the WebSocket). */
export class WriteItApiError extends WriteItError {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds to wait before retrying, when the server said so. */
  readonly retryAfter?: number;
  readonly url?: string;

  constructor(problem: Problem, options: ApiErrorOptions = {}) {
    super(problem.code || `http_${problem.status}`, describe(problem, options), {
      cause: options.cause,
    });
    this.status = problem.status;
    this.problem = problem;
    this.retryAfter = options.retryAfter;
    this.url = options.url;
  }
}

/** The server could not be reached (refused, reset, DNS, TLS, aborted). */
export class WriteItNetworkError extends WriteItError {
  readonly url: string;
  constructor(url: string, options: { cause?: unknown } = {}) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      "network_error",
      `Cannot reach the WriteIt server at ${url}: ${reason}: check the URL and that \`writeit serve\` is running there`,
      { cause: options.cause },
    );
    this.url = url;
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isStaleDetails(value: unknown): value is StaleDetails {
  const details = value as Partial<StaleDetails> | undefined;
  return typeof details?.basedOn === "number" && typeof details.version === "number" &&
    Array.isArray(details.changes) && details.changes.every((change) => typeof change === "string");
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.status === "number" && (typeof record.detail === "string" ||
    typeof record.title === "string");
}

/** Reads a non-2xx response into a `WriteItApiError` (a problem is synthesised when the body is not one). */
export async function apiErrorFromResponse(
  response: Response,
  options: { url?: string } = {},
): Promise<WriteItApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  const url = options.url ?? (response.url || undefined);
  if (isProblem(body)) {
    const problem: Problem = {
      type: String(body.type ?? "about:blank"),
      title: String(body.title ?? response.statusText),
      status: response.status,
      detail: String(body.detail ?? body.title ?? ""),
      code: String(body.code ?? `http_${response.status}`),
      ...(Array.isArray(body.issues) ? { issues: body.issues } : {}),
      ...(isStaleDetails(body.stale) ? { stale: body.stale } : {}),
    };
    return new WriteItApiError(problem, { retryAfter, url });
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return new WriteItApiError({
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: snippet || response.statusText || `The server answered ${response.status}`,
    code: `http_${response.status}`,
  }, { retryAfter, url });
}
