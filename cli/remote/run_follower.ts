/**
 * Follows a run that a server drives: a `RunSocket` feeds the same
 * `LiveDisplay` the local run uses (live block in a terminal, plain lines on
 * stderr otherwise, JSON lines with `--json`), until the run completes,
 * fails or is cancelled, or the server stops driving it (a step waits for a
 * choice, or the run was paused). Ctrl-C pauses the run on the server and
 * stops following. A lost connection is retried with resume; after that
 * many failed tries, it is an error that says the run goes on regardless.
 */
import { CancelledError, WriteItError } from "../../engine/errors.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { WriteItApiError, type WriteItClient } from "../../client/mod.ts";
import type { Output } from "../output.ts";
import { type DisplayMode, LiveDisplay } from "../terminal/live_display.ts";

/** How following ended. */
export type FollowOutcome =
  | { kind: "finished"; run: PipelineRun }
  | { kind: "stopped"; run: PipelineRun };

/** Options of `followRun`. */
export interface FollowOptions {
  output: Output;
  mode: DisplayMode;
  /** The run as the caller last saw it; events after its version are replayed. */
  run: PipelineRun;
  /** When the command started (for the elapsed time). */
  startedAt: number;
  /** Server URL, for messages. */
  server: string;
  /** Connection attempts in a row before giving up (default 8). */
  maxAttempts?: number;
}

const FINAL = new Set(["completed", "error", "failed", "cancelled"]);

/** Shows a server-driven run until it finishes or stops being driven. */
export function followRun(client: WriteItClient, options: FollowOptions): Promise<FollowOutcome> {
  const runId = options.run.runId;
  const socket = client.watch(runId, {
    since: options.run.version,
    reconnect: { maxAttempts: options.maxAttempts ?? 8 },
  });
  let display: LiveDisplay | undefined;
  let driving = true;
  let settled = false;

  return new Promise<FollowOutcome>((resolve, reject) => {
    const end = (result: { outcome?: FollowOutcome; error?: unknown }) => {
      if (settled) return;
      settled = true;
      try {
        display?.stop();
      } catch {
        // stdout is gone; the outcome still stands
      }
      Deno.removeSignalListener("SIGINT", onSigint);
      void socket.close().then(() => {
        if (result.outcome) resolve(result.outcome);
        else reject(result.error);
      });
    };
    const check = () => {
      if (!display || !socket.caughtUp) return;
      const run = display.state;
      if (FINAL.has(run.status)) return end({ outcome: { kind: "finished", run } });
      if (!driving) end({ outcome: { kind: "stopped", run } });
    };
    const onSigint = () => {
      if (settled) Deno.exit(130);
      client.pause(runId, { reason: "interrupted" }).catch(() => undefined).then(() =>
        end({
          error: new CancelledError(
            `Stopped following. Run ${runId} is paused on ${options.server} and keeps every finished candidate`,
          ),
        })
      );
    };
    Deno.addSignalListener("SIGINT", onSigint);

    // A listener that throws (stdout closed under `| head`) ends the follow with that error.
    const guard = <T>(listener: (value: T) => void) => (value: T) => {
      try {
        listener(value);
      } catch (error) {
        end({ error });
      }
    };
    socket.on(
      "hello",
      guard((hello) => {
        driving = hello.driving;
        if (!display) {
          // The server's hello is at least as new as the run the caller had.
          display = new LiveDisplay(structuredClone(hello.run), options.output, {
            mode: options.mode,
            startedAt: options.startedAt,
          });
          display.start();
        }
        check();
      }),
    );
    socket.on(
      "event",
      guard((event) => {
        if (settled) return;
        display?.update({ type: "event", runId, event });
        check();
      }),
    );
    socket.on("chunk", guard((chunk) => !settled && display?.update({ ...chunk, runId })));
    socket.on("chunk_reset", guard((reset) => !settled && display?.update({ ...reset, runId })));
    socket.on(
      "notice",
      guard((notice) =>
        !settled &&
        display?.update({ type: "notice", runId, stepId: notice.stepId, message: notice.message })
      ),
    );
    socket.on(
      "driving",
      guard((frame) => {
        driving = frame.driving;
        if (frame.error) return end({ error: new WriteItApiError(frame.error) });
        check();
      }),
    );
    socket.closed.then((close) => {
      if (settled) return;
      end({
        error: new WriteItError(
          "connection_lost",
          `Lost the connection to ${options.server} while following run ${runId} (${close.code}${
            close.reason ? ` ${close.reason}` : ""
          }): the run goes on on the server; check it with \`writeit --server ${options.server} runs show ${runId}\``,
        ),
      });
    });
  });
}
