/**
 * Editing a candidate in `$VISUAL`/`$EDITOR`, then a look at the result
 * before it counts: the saved text is shown (through the pager when it is
 * long) with its size next to the original's, and the writer keeps it
 * (Enter or `k`), edits it again (`e`, reopening the editor on the edited
 * text) or discards it (`d`, Ctrl-C or Ctrl-D). Nothing is recorded until
 * the writer keeps it; an unchanged or empty text is never offered.
 *
 * @example
 * ```ts
 * const text = await editAndReview(original, { input, output, env, name: "write-1" });
 * if (text !== undefined) await session.act({ action: "edit", stepId, text, basedOn });
 * ```
 */
import type { Output } from "../output.ts";
import { InterruptedError, type TerminalInput } from "./terminal_input.ts";
import { editText } from "./text_editor.ts";
import { pageText } from "./text_pager.ts";

/** What the review needs: where to ask and print, and the environment for the editor and pager. */
export interface EditReviewOptions {
  input: TerminalInput;
  output: Output;
  env: Record<string, string | undefined>;
  /** The temporary file's name (`write-1`), so the editor's title says what is edited. */
  name: string;
}

function size(text: string): string {
  const words = text.trim() === "" ? 0 : text.trim().split(/\s+/).length;
  return `${text.length.toLocaleString("en-US")} chars, ${words.toLocaleString("en-US")} words`;
}

async function askChoice(input: TerminalInput): Promise<"keep" | "again" | "discard"> {
  while (true) {
    let answer: string | null;
    try {
      answer = await input.readLine({
        prompt: "Keep this edit? k keep · e edit again · d discard [k]> ",
      });
    } catch (error) {
      if (error instanceof InterruptedError) return "discard";
      throw error;
    }
    if (answer === null) return "discard";
    const word = answer.trim().toLowerCase();
    if (word === "" || word === "k" || word === "keep" || word === "y") return "keep";
    if (word === "e" || word === "edit") return "again";
    if (word === "d" || word === "discard" || word === "n") return "discard";
  }
}

/**
 * Opens `original` in the editor until the writer keeps or discards what
 * they saved; returns the text to record, or undefined when nothing should be
 * (unchanged, empty or discarded; the reason is printed).
 */
export async function editAndReview(
  original: string,
  options: EditReviewOptions,
): Promise<string | undefined> {
  const { output } = options;
  const { styles } = output;
  let draft = original;
  while (true) {
    const edited = await editText(draft, { env: options.env, name: options.name });
    if (edited.trim() === original.trim()) {
      output.print(styles.dim("No changes: nothing recorded."));
      return undefined;
    }
    if (edited.trim() === "") {
      output.print(styles.yellow("The text is empty: nothing recorded."));
      return undefined;
    }
    await pageText(
      [
        styles.bold(`\nYour edit: ${size(edited)}`) + styles.dim(` (was ${size(original)})`),
        styles.dim("─".repeat(40)),
        edited.replace(/\n+$/, ""),
        styles.dim("─".repeat(40)),
      ].join("\n"),
      { env: options.env, output },
    );
    const choice = await askChoice(options.input);
    if (choice === "keep") return edited;
    if (choice === "discard") {
      output.print(styles.dim("Discarded your edit: nothing recorded."));
      return undefined;
    }
    draft = edited;
  }
}
