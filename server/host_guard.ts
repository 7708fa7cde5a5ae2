/**
 * Refuses requests a browser could be tricked into sending: a `Host` that is
 * not one of the server's names (DNS rebinding: a hostile page whose name
 * resolves to 127.0.0.1 reads the API as same-origin) and, on any route, an
 * `Origin` that is neither the server's own nor a configured CORS origin
 * (cross-site reads, form posts, no-cors fetches and WebSocket upgrades).
 * Requests without an `Origin` (curl, the CLI, the typed client) pass the
 * origin check; every request must pass the host check.
 *
 * @example
 * ```ts
 * app.use(hostGuard({ hosts: ["localhost:8484", "127.0.0.1:8484"], origins: [] }));
 * ```
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** What the guard allows. */
export interface HostGuardOptions {
  /** Allowed `Host` values (`name:port`, lower case; a bare name allows any port). */
  hosts: string[];
  /** Origins allowed besides the server's own (`scheme://host[:port]`). */
  origins: string[];
}

/** The loopback names a server bound to `port` answers to. */
export function loopbackHosts(port: number): string[] {
  return ["localhost", "127.0.0.1", "[::1]"].map((name) => `${name}:${port}`);
}

/** Middleware enforcing the host and origin allow-lists. */
export function hostGuard(options: HostGuardOptions): MiddlewareHandler {
  const origins = new Set(options.origins.map((origin) => origin.toLowerCase()));
  return async function guardHostAndOrigin(context, next) {
    // Read on each request: a server on port 0 fills the list once it listens.
    const hosts = new Set(options.hosts.map((host) => host.toLowerCase()));
    const allowedHost = (name: string) => hosts.has(name) || hosts.has(name.replace(/:\d+$/, ""));
    const host = (context.req.header("host") ?? new URL(context.req.url).host).toLowerCase();
    if (!allowedHost(host)) {
      throw new HTTPException(421, {
        message: `This server does not answer to the host "${host.slice(0, 100)}": open it as ${
          [...hosts][0] ?? "localhost"
        }, or add the name to server.allowed_hosts (comma-separated, e.g. writeit.example:8484)`,
      });
    }
    const origin = context.req.header("origin");
    if (origin !== undefined) {
      const own = `${new URL(context.req.url).protocol}//${host}`;
      const lower = origin.toLowerCase();
      if (
        lower !== own &&
        !(allowedHost(lower.replace(/^https?:\/\//, "")) && /^https?:\/\//.test(lower)) &&
        !origins.has(lower)
      ) {
        throw new HTTPException(403, {
          message: `Requests from the origin "${
            origin.slice(0, 100)
          }" are refused: open the dashboard from this server, or add the origin to server.cors_origins`,
        });
      }
    }
    await next();
  };
}
