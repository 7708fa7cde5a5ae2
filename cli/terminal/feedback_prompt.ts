/**
 * Asks for the feedback a step is regenerated with. One line is sent with
 * Enter; a line holding only `"""` starts a block of several lines, ended by
 * another `"""` line (or Ctrl-D), as in Python and simonw/llm's chat. Every
 * line is edited like any prompt, and Up brings back earlier one-line
 * feedback (blocks are not kept, as the prompt edits one line). An
 * empty answer (or Ctrl-C) gives no feedback.
 *
 * @example
 * ```ts
 * const text = await readFeedback(input, { write: (text) => output.write(text), styles });
 * ```
 */
import type { Styles } from "../output.ts";
import { InterruptedError, type TerminalInput } from "./terminal_input.ts";

/** The line that starts and ends a block of several lines. */
export const BLOCK_FENCE = '"""';

/** Where the feedback prompt writes. */
export interface FeedbackIo {
  write(text: string): void;
  styles: Styles;
}

/**
 * The feedback typed: one line, or a `"""` block; `first` is what came after
 * `f` on the menu line, if anything (`f """` starts a block too). Undefined
 * when nothing was given.
 */
export async function readFeedback(
  input: TerminalInput,
  io: FeedbackIo,
  options: { first?: string } = {},
): Promise<string | undefined> {
  try {
    let first = options.first?.trim();
    if (!first) {
      io.write(
        `Feedback ${
          io.styles.dim(
            `(Enter sends · ${BLOCK_FENCE} alone starts several lines · empty cancels)`,
          )
        }\n`,
      );
      first = (await input.readLine({
        prompt: "feedback> ",
        history: "feedback",
        remember: false,
      }))?.trim();
    }
    if (first !== BLOCK_FENCE) {
      if (first) input.history.add("feedback", first);
      return first || undefined;
    }
    io.write(io.styles.dim(`Several lines: end with ${BLOCK_FENCE} on a line of its own.\n`));
    const lines: string[] = [];
    while (true) {
      const next = await input.readLine({ prompt: "... " });
      if (next === null || next.trim() === BLOCK_FENCE) break;
      lines.push(next);
    }
    // A block is not kept in the history: Up recalls one line at a time.
    return lines.join("\n").trim() || undefined;
  } catch (error) {
    if (error instanceof InterruptedError) return undefined;
    throw error;
  }
}
