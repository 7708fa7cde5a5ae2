/**
 * Forbids every page to frame the server's responses. A page on another
 * origin that frames the dashboard can lay its own content over it and have
 * a writer click "Cancel" or "Start run" without knowing (clickjacking); the
 * origin check cannot see this, since the framed dashboard's own requests
 * are same-origin. Each response says so for old and new browsers alike:
 * `X-Frame-Options: DENY` and `Content-Security-Policy: frame-ancestors 'none'`.
 * WebSocket upgrades (101) are left as they are.
 *
 * @example
 * ```ts
 * app.use(frameGuard());
 * ```
 */
import type { MiddlewareHandler } from "hono";

/** Middleware adding the frame-denying headers to every response but a WebSocket upgrade. */
export function frameGuard(): MiddlewareHandler {
  return async function denyFraming(context, next) {
    await next();
    if (context.res.status === 101) return;
    context.res.headers.set("x-frame-options", "DENY");
    context.res.headers.append("content-security-policy", "frame-ancestors 'none'");
  };
}
