/**
 * Builds the URLs the client calls: a base URL (which may carry a path
 * prefix, such as a reverse proxy's `/writeit/`) plus a path and a query,
 * the workspace prefix `/api/workspaces/{workspace}` for workspace-scoped
 * routes, and the `ws:`/`wss:` form of a base for the run WebSocket.
 *
 * @example
 * ```ts
 * apiUrl("http://127.0.0.1:8080", scopedPath("/runs", "team a"), { limit: 5 });
 * // "http://127.0.0.1:8080/api/workspaces/team%20a/runs?limit=5"
 * ```
 */

/** Query values; undefined ones are left out. */
export type QueryValues = Record<string, string | number | boolean | undefined>;

/** Encodes one path segment (a run id, a pipeline or workspace name). */
export function segment(value: string): string {
  if (value === "") throw new TypeError("A path segment cannot be empty");
  return encodeURIComponent(value);
}

/** `/api<route>` for the server's default workspace, `/api/workspaces/{w}<route>` for a named one. */
export function scopedPath(route: string, workspace?: string): string {
  return workspace === undefined ? `/api${route}` : `/api/workspaces/${segment(workspace)}${route}`;
}

/** Joins `base` (keeping its path prefix) with an absolute `path` and a query. */
export function apiUrl(base: string, path: string, query: QueryValues = {}): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(
      `The server URL "${base}" is not a URL: write it like http://127.0.0.1:8080`,
    );
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    throw new TypeError(
      `The server URL "${base}" must start with http:// or https://, like http://127.0.0.1:8080`,
    );
  }
  const prefix = url.pathname.replace(/\/+$/, "");
  url.pathname = prefix + path;
  url.search = "";
  url.hash = "";
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** The WebSocket form of an http(s) URL. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  return url.toString();
}
