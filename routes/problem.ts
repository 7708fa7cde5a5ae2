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
  ConflictError,
  InvalidCommandError,
  NotFoundError,
  ValidationError,
  WriteItError,
} from "../engine/errors.ts";

/** A problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  issues?: unknown[];
}

function statusOf(error: WriteItError): number {
  if (error instanceof ValidationError) return 422;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError || error instanceof InvalidCommandError) return 409;
  if (error instanceof BudgetExceededError) return 402;
  return 500;
}

/** Builds the problem document for an error. */
export function problemFor(error: unknown): Problem {
  if (error instanceof HTTPException) {
    return {
      type: `https://writeit.dev/problems/http-${error.status}`,
      title: error.message || "Request failed",
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

/** Responds with a problem document. */
export function problemResponse(context: Context, error: unknown): Response {
  const problem = problemFor(error);
  return context.body(JSON.stringify(problem), problem.status as 400, {
    "content-type": "application/problem+json",
  });
}
