/**
 * How `writeit diff` prints a word diff: a header naming both texts, the
 * lines that changed with one line of context around them (the rest folded
 * into "⋯ N unchanged lines"; `full` prints everything), and the counts. In
 * a terminal, removed words are red and struck through and added words
 * green; without colour they are marked `[-removed-]` and `{+added+}`, as
 * `git diff --word-diff=plain` marks them, so the output stays readable in a
 * pipe or a log.
 *
 * @example
 * ```ts
 * output.print(diffView(document, { styles: output.styles, colour: output.colour }));
 * ```
 */
import type { TextDiffDocument } from "../engine/mod.ts";
import type { Styles } from "./output.ts";

/** Options of {@link diffView}. */
export interface DiffViewOptions {
  styles: Styles;
  /** Whether the styles draw colour; otherwise changes are marked with brackets. */
  colour: boolean;
  /** Print every line, not only the changed ones and their context. */
  full?: boolean;
}

/** Word counts in the words a writer reads: "12 words added, 3 removed, 480 unchanged". */
export function diffCounts(stats: TextDiffDocument["stats"]): string {
  const words = (count: number) => `${count.toLocaleString("en-US")} word${count === 1 ? "" : "s"}`;
  return `${words(stats.added)} added, ${stats.removed.toLocaleString("en-US")} removed, ${
    stats.unchanged.toLocaleString("en-US")
  } unchanged`;
}

/** The printed diff. */
export function diffView(document: TextDiffDocument, options: DiffViewOptions): string {
  const { styles, colour } = options;
  const mark = (kind: "added" | "removed", text: string) => {
    if (colour) return kind === "added" ? styles.green(text) : styles.strike(styles.red(text));
    return kind === "added" ? `{+${text}+}` : `[-${text}-]`;
  };
  // Lines of the merged text, each knowing whether it holds a change.
  const lines: Array<{ text: string; changed: boolean }> = [{ text: "", changed: false }];
  for (const part of document.parts) {
    part.text.split("\n").forEach((piece, index) => {
      if (index > 0) lines.push({ text: "", changed: false });
      if (piece === "") return;
      const line = lines[lines.length - 1];
      if (part.kind === "equal") {
        line.text += piece;
      } else {
        line.text += mark(part.kind, piece);
        line.changed = true;
      }
    });
  }
  const keep = lines.map((line, index) =>
    options.full || line.changed || lines[index - 1]?.changed || lines[index + 1]?.changed
  );
  const body: string[] = [];
  let folded: string[] = [];
  const flush = () => {
    const words = folded.filter((text) => text.trim() !== "").length;
    // A fold of blank lines only (the gap between two changed paragraphs) stays as it is.
    if (words === 0) body.push(...folded);
    else body.push(styles.dim(`⋯ ${words} unchanged line${words === 1 ? "" : "s"}`));
    folded = [];
  };
  lines.forEach((line, index) => {
    if (keep[index]) {
      flush();
      body.push(line.text);
    } else {
      folded.push(line.text);
    }
  });
  flush();
  const same = document.stats.added === 0 && document.stats.removed === 0;
  return [
    styles.red(`--- ${document.from.reference}`) + styles.dim(`  ${document.from.label}`),
    styles.green(`+++ ${document.to.reference}`) + styles.dim(`  ${document.to.label}`),
    "",
    ...(same ? [styles.dim("The two texts are the same.")] : body),
    "",
    diffCounts(document.stats),
  ].join("\n");
}
