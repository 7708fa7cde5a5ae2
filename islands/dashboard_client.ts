/**
 * The islands' connection to the server: a `WriteItClient` (client/) on the
 * page's own origin, scoped to the page's workspace (behind a token, the
 * browser's HttpOnly sign-in cookie authenticates it: no page ever holds the
 * token), and a readable description of any failure
 * (the problem+json detail and issues the server sent, or why the server
 * could not be reached).
 */
import { WriteItApiError, WriteItClient, WriteItNetworkError } from "../client/mod.ts";

/** What every island needs to reach the API. */
export interface ConnectionProps {
  workspace: string;
  /** The server has a token: requests are authenticated by the sign-in cookie. */
  signedIn?: boolean;
}

/**
 * This page's name as an actor: `dashboard-` and a few letters of its own,
 * so that two tabs are told what the other decided.
 */
export const PAGE_ACTOR = `dashboard-${crypto.randomUUID().slice(0, 6)}`;

/** The client for the page's origin and workspace. */
export function dashboardClient(connection: ConnectionProps): WriteItClient {
  return new WriteItClient({
    baseUrl: globalThis.location.origin,
    workspace: connection.workspace,
    client: PAGE_ACTOR,
  });
}

/** A failure as shown to the writer. */
export interface FailureView {
  title: string;
  detail: string;
  status?: number;
  code?: string;
  /** Issue lines (`inputs.topic: Required`), when the server listed any. */
  issues: string[];
}

function issueLine(issue: unknown): string {
  if (typeof issue !== "object" || issue === null) return String(issue);
  const record = issue as Record<string, unknown>;
  const path = Array.isArray(record.path) ? record.path.join(".") : record.path;
  const message = record.message ?? JSON.stringify(issue);
  return path ? `${path}: ${message}` : String(message);
}

/** Describes an error thrown by the client (or anything else) for display. */
export function describeFailure(error: unknown, action: string): FailureView {
  if (error instanceof WriteItApiError) {
    return {
      title: `The server refused to ${action}`,
      detail: error.problem.detail || error.problem.title,
      status: error.status,
      code: error.problem.code,
      issues: (error.problem.issues ?? []).map(issueLine),
    };
  }
  if (error instanceof WriteItNetworkError) {
    return { title: `Could not ${action}`, detail: error.message, issues: [] };
  }
  return {
    title: `Could not ${action}`,
    detail: error instanceof Error ? error.message : String(error),
    issues: [],
  };
}
