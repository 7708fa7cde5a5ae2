/**
 * Reads a JSON request body: 415 unless the request says application/json
 * (a cross-site page cannot send that without a preflight), 400 when it does
 * not parse (with the parser's message), then the zod schema's checks (422
 * with every bad field). An empty body with the JSON type counts as `{}`.
 * `parseBody` applies a protocol schema to any value (a query, a socket
 * message) the same way.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "../../engine/errors.ts";

/** The request's JSON body, parsed with `schema`. */
export async function readBody<T extends z.ZodType>(
  context: Context,
  schema: T,
): Promise<z.output<T>> {
  const type = context.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HTTPException(415, {
      message: `The request body must be JSON (content-type application/json), not ${
        type ? `"${type.slice(0, 80)}"` : "none"
      }`,
    });
  }
  const text = await requestText(context);
  if (text.trim() === "") return parseBody(schema, {});
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HTTPException(400, {
      message: `The request body is not valid JSON: ${(error as Error).message}`,
    });
  }
  return parseBody(schema, value);
}

/** The request's body as text; 400 when the client stopped sending it before the end. */
export async function requestText(context: Context): Promise<string> {
  try {
    return await context.req.text();
  } catch (error) {
    if (error instanceof HTTPException) throw error;
    throw new HTTPException(400, {
      message: "The request body ended before it was complete: send it again",
      cause: error,
    });
  }
}

/**
 * Parses `value` with `schema`; a ValidationError listing every bad field
 * (dotted path and message) otherwise.
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where = "request body",
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue): ValidationIssue => ({
    severity: "error",
    path: issue.path.map(String).join("."),
    message: issue.path.length ? `"${issue.path.join(".")}": ${issue.message}` : issue.message,
    code: issue.code === "unrecognized_keys" ? "unknown_key" : "invalid_value",
  }));
  throw new ValidationError(
    `The ${where} is not valid: ${issues.map((issue) => issue.message).join("; ")}`,
    issues,
  );
}
