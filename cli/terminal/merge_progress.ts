/**
 * What the terminal shows while a merge is written: a line redrawn in place
 * with a spinner, the seconds so far and the characters received from the
 * model (`⠹ Merging 1, 2 · 1,234 chars received · 7s`), read from the run
 * session's streams, so it works for a local run and a server's alike.
 * Without a terminal it prints one line when the merge starts.
 *
 * @example
 * ```ts
 * const progress = showMergeProgress(session, { output, stepId, candidateIndex: 2, numbers: [1, 2] });
 * try { await session.act(merge); } finally { progress.stop(); }
 * ```
 */
import type { RunSessionPort } from "../../engine/run_session_port.ts";
import type { Output } from "../output.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Which merge to follow. */
export interface MergeProgressOptions {
  output: Output;
  stepId: string;
  /** The merged candidate's place: after the step's candidates. */
  candidateIndex: number;
  /** The candidates merged, as the writer numbered them. */
  numbers: number[];
}

/** The progress line: spinner frame, what is merged, characters received, seconds. */
export function mergeProgressLine(
  options: { frame: number; numbers: number[]; characters: number; elapsedMs: number },
): string {
  const seconds = Math.floor(options.elapsedMs / 1000);
  return `${FRAMES[options.frame % FRAMES.length]} Merging ${options.numbers.join(", ")} · ${
    options.characters.toLocaleString("en-US")
  } chars received · ${seconds}s`;
}

/** Starts showing the merge's progress; `stop()` clears the line and says how long it took. */
export function showMergeProgress(
  session: RunSessionPort,
  options: MergeProgressOptions,
): { stop(): void } {
  const { output } = options;
  const { styles } = output;
  const started = Date.now();
  if (!output.interactive) {
    output.print(styles.dim(`Merging ${options.numbers.join(", ")}…`));
    return { stop() {} };
  }
  const received = () => {
    let characters = 0;
    for (const stream of session.current().streams.values()) {
      if (stream.stepId === options.stepId && stream.candidateIndex === options.candidateIndex) {
        characters += stream.text.length;
      }
    }
    return characters;
  };
  let frame = 0;
  const draw = () => {
    output.write(
      `\r${
        styles.dim(mergeProgressLine({
          frame: frame++,
          numbers: options.numbers,
          characters: received(),
          elapsedMs: Date.now() - started,
        }))
      }\x1b[K`,
    );
  };
  draw();
  const timer = setInterval(draw, 120);
  return {
    stop() {
      clearInterval(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      output.write(`\r\x1b[K`);
      output.print(styles.dim(`Merged ${options.numbers.join(", ")} in ${seconds}s.`));
    },
  };
}
