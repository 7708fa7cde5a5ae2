/**
 * Errors as `application/problem+json` (RFC 9457): a stable type per error
 * code, a title, the status and the message — never a stack trace. WriteIt
 * errors map to statuses by class; anything else is a 500 with a generic
 * detail.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  BudgetExceededError,
  ConfigurationError,
  ConflictError,
  InvalidCommandError,
  NotFoundError,
  ValidationError,
  WriteItError,
} from "../engine/errors.ts";
import { StaleActionError } from "../engine/stale_action.ts";
import type { Problem } from "../protocol/mod.ts";

function statusOf(error: WriteItError): number {
  if (error instanceof ValidationError) return 422;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError || error instanceof InvalidCommandError) return 409;
  if (error instanceof BudgetExceededError) return 402;
  // A model the server has no key for, or that no provider claims: the request can name another.
  if (
    error instanceof ConfigurationError &&
    (error.code === "missing_api_key" || error.code === "unknown_model")
  ) return 422;
  return 500;
}

const REASONS: Record<number, string> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  409: "conflict",
  413: "content too large",
  415: "unsupported media type",
  422: "unprocessable content",
  426: "upgrade required",
  429: "too many requests",
  503: "service unavailable",
};

/** Builds the problem document for an error. */
export function problemFor(error: unknown): Problem {
  if (error instanceof HTTPException) {
    return {
      type: `https://writeit.dev/problems/http-${error.status}`,
      title: REASONS[error.status] ?? "request failed",
      status: error.status,
      detail: error.message || "The request could not be processed",
      code: `http_${error.status}`,
    };
  }
  if (error instanceof WriteItError) {
    const status = statusOf(error);
    return {
      type: `https://writeit.dev/problems/${error.code}`,
      title: error.code.replaceAll("_", " "),
      status,
      detail: error.message,
      code: error.code,
      ...(error instanceof ValidationError && error.issues.length ? { issues: error.issues } : {}),
      ...(error instanceof StaleActionError ? { stale: error.details } : {}),
    };
  }
  return {
    type: "https://writeit.dev/problems/internal_error",
    title: "internal error",
    status: 500,
    detail: "The server failed to handle the request; its log has the details",
    code: "internal_error",
  };
}

/** Responds with a problem document (keeping headers an HTTPException carries, like WWW-Authenticate). */
export function problemResponse(context: Context, error: unknown): Response {
  const problem = problemFor(error);
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (error instanceof HTTPException && error.res) {
    error.res.headers.forEach((value, name) => {
      if (name !== "content-type" && name !== "content-length") headers[name] = value;
    });
  }
  return context.body(JSON.stringify(problem), problem.status as 400, headers);
}
