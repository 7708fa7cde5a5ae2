/**
 * Says whether the run view is live: connected to the server's WebSocket,
 * connecting, reconnecting after a drop (a server restart), or
 * disconnected; and whether the server is generating right now.
 */
import type { JSX } from "preact";
import type { RunSocketState } from "../client/mod.ts";

const LABELS: Record<RunSocketState, string> = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
  closed: "disconnected",
};

/** The badges. */
export function ConnectionBadge(
  { state, driving }: { state: RunSocketState; driving: boolean },
): JSX.Element {
  return (
    <span class="actions" style="margin:0">
      <span
        class={`badge status-${state === "open" ? "ok" : state}`}
        role="status"
        aria-live="polite"
        data-testid="connection"
        data-state={state}
      >
        <span class="sr-only">Connection:</span>
        {LABELS[state]}
      </span>
      {driving
        ? (
          <span class="badge status-running" data-testid="driving">
            generating
          </span>
        )
        : null}
    </span>
  );
}
