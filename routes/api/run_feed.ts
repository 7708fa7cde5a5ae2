/**
 * `GET /api/runs/live`: the workspace's run list as it changes, as
 * Server-Sent Events. Each `run` event carries one RunSummary (the row of
 * `GET /api/runs`) whenever something was appended to that run (by this
 * server, a CLI or another process sharing the workspace): new runs, status
 * changes, steps done. Bursts are coalesced per run (one summary per run
 * per `FEED_COALESCE_MS`), streamed chunks are not sent, and a comment every
 * 20 s keeps idle connections open. The dashboard's Home and Runs lists
 * follow it; an `EventSource` reconnects on its own after a drop and
 * simply gets the next changes (the list it holds was read when the page was).
 */
import type { Context } from "hono";
import { summarizeRun } from "../../engine/events/event_store.ts";
import type { ApiEnv } from "./api_env.ts";

/** Longest wait between an append and the summary it causes. */
export const FEED_COALESCE_MS = 250;
const HEARTBEAT_MS = 20_000;

/** The handler of `GET /api/runs/live`. */
export function runFeed(context: Context<ApiEnv>): Response {
  const { store } = context.get("runtime");
  const encoder = new TextEncoder();
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  const stop = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    clearTimeout(timer);
    clearInterval(heartbeat);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const flush = async () => {
        timer = undefined;
        const ids = [...pending];
        pending.clear();
        for (const runId of ids) {
          if (closed) return;
          try {
            const summary = summarizeRun(await store.loadRun(runId));
            send(`event: run\ndata: ${JSON.stringify(summary)}\n\n`);
          } catch {
            // A run removed (pruned) meanwhile has no row to send.
          }
        }
      };
      unsubscribe = store.subscribe("*", (event) => {
        pending.add(event.runId);
        timer ??= setTimeout(flush, FEED_COALESCE_MS);
      });
      heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      send("retry: 2000\n\n");
    },
    // The client went away (the server cancels the body of a response it can no longer send).
    cancel: stop,
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
