/**
 * The error hierarchy of WriteIt. Every error carries a stable `code` that
 * callers, the CLI and the HTTP layer map to behaviour (exit codes, HTTP
 * statuses, retries); subclasses exist only where callers act differently.
 * Messages follow the house rule: what went wrong, where, and how to fix it.
 *
 * @example
 * ```ts
 * throw new NotFoundError(`Pipeline "tech-artcle" was not found: did you mean "tech-article"?`);
 * ```
 */
import { printable } from "./printable.ts";

/** Options shared by every WriteIt error. */
export interface WriteItErrorOptions {
  /** The underlying error, kept for logs; never shown to users as a stack. */
  cause?: unknown;
}

/** Base class: a stable machine-readable `code` plus a human message. */
export class WriteItError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options: WriteItErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Stable codes of validation issues, so callers act on the kind of problem
 * without matching its wording: run inputs (left out, not declared, a bad
 * value), templates (a variable, filter or style primer that resolves to
 * nothing, bad syntax), pipeline documents (an unknown key or step, YAML that
 * does not parse, a duplicate key, a value of the wrong type or range).
 */
export const ISSUE_CODES = [
  "missing_input",
  "unknown_input",
  "invalid_input",
  "unknown_variable",
  "unknown_filter",
  "unknown_style",
  "template_syntax",
  "unknown_key",
  "unknown_step",
  "yaml_syntax",
  "duplicate_key",
  "invalid_value",
] as const;

/** One of `ISSUE_CODES`. */
export type IssueCode = typeof ISSUE_CODES[number];

/** One located problem found while validating user input (a pipeline, a primer, a request). */
export interface ValidationIssue {
  /** "error" stops loading; "warning" is reported and loading continues. */
  severity: "error" | "warning";
  /** What is wrong, with the fix after a colon where one exists. */
  message: string;
  /** Dotted path inside the document, such as `steps.outline.prompt_template`. */
  path: string;
  /** File the problem is in, when the input came from a file. */
  file?: string;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** A concrete replacement, such as `steps.outline` for a typo. */
  suggestion?: string;
  /**
   * What kind of problem this is, stable across wording changes (snake_case,
   * one of `ISSUE_CODES`), so callers act on it without matching the message.
   */
  code?: IssueCode;
}

/**
 * Formats an issue as `file:line:column: severity: message (at path)`, on one
 * line, with control characters from the document shown as escapes.
 */
export function formatIssue(issue: ValidationIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined)
    .join(":");
  const prefix = where ? `${where}: ` : "";
  const at = issue.path ? ` (at ${issue.path})` : "";
  return printable(`${prefix}${issue.severity}: ${issue.message}${at}`);
}

/** Input that does not satisfy its schema; carries every problem found, not just the first. */
export class ValidationError extends WriteItError {
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[] = [], options: WriteItErrorOptions = {}) {
    super("validation_failed", message, options);
    this.issues = issues;
  }
}

/** A named thing (run, pipeline, workspace, style, step) does not exist. */
export class NotFoundError extends WriteItError {
  constructor(message: string, options: WriteItErrorOptions = {}) {
    super("not_found", message, options);
  }
}

/** A write lost a race (stale expected version, a run leased by another process). */
export class ConflictError extends WriteItError {
  constructor(message: string, options: WriteItErrorOptions & { code?: string } = {}) {
    super(options.code ?? "conflict", message, options);
  }
}

/** A command that the current state forbids (select out of range, a fourth retry, acting on a completed run). */
export class InvalidCommandError extends WriteItError {
  constructor(code: string, message: string, options: WriteItErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A failure worth trying again, after `retryAfterMs` when the other side said so. */
export class RetryableError extends WriteItError {
  readonly retryAfterMs?: number;
  readonly status?: number;
  constructor(
    message: string,
    options: WriteItErrorOptions & { retryAfterMs?: number; status?: number; code?: string } = {},
  ) {
    super(options.code ?? "retryable", message, options);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** A provider failure that retrying will not fix (bad request, bad key, unknown model). */
export class ProviderError extends WriteItError {
  readonly status?: number;
  readonly provider: string;
  constructor(
    provider: string,
    message: string,
    options: WriteItErrorOptions & { status?: number; code?: string } = {},
  ) {
    super(options.code ?? "provider_error", message, options);
    this.provider = provider;
    this.status = options.status;
  }
}

/** Configuration is missing or wrong (an API key not set, an unknown provider). */
export class ConfigurationError extends WriteItError {
  constructor(message: string, options: WriteItErrorOptions & { code?: string } = {}) {
    super(options.code ?? "configuration_error", message, options);
  }
}

/** A call would take spending past a configured budget; nothing was spent. */
export class BudgetExceededError extends WriteItError {
  readonly limitUsd: number;
  readonly projectedUsd: number;
  constructor(
    message: string,
    options: WriteItErrorOptions & { limitUsd: number; projectedUsd: number },
  ) {
    super("budget_exceeded", message, options);
    this.limitUsd = options.limitUsd;
    this.projectedUsd = options.projectedUsd;
  }
}

/** The operation was cancelled through an AbortSignal or by the user. */
export class CancelledError extends WriteItError {
  constructor(message = "The operation was cancelled", options: WriteItErrorOptions = {}) {
    super("cancelled", message, options);
  }
}
