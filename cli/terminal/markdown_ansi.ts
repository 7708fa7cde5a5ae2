/**
 * Markdown drawn in a terminal for the line mode: the shared layout of
 * engine/text/markdown_lines.ts (wrapped lines of styled segments) turned
 * into ANSI styles: headings bold and cyan, bold, italic, struck and code
 * text as marked, links underlined with their target dimmed, quotes and
 * list marks dimmed. With colour off it is the same layout as plain text.
 *
 * @example
 * ```ts
 * output.print(ansiMarkdown(candidate.text, { width: 80, styles: output.styles }));
 * ```
 */
import { markdownLines, type StyledSegment } from "../../engine/mod.ts";
import type { Styles } from "../output.ts";

/** `markdown` laid out `width` columns wide, with `styles`. */
export function ansiMarkdown(markdown: string, options: { width: number; styles: Styles }): string {
  const { styles } = options;
  return markdownLines(markdown, { width: options.width })
    .map((line) => line.map((segment) => styled(segment, styles)).join(""))
    .join("\n");
}

function styled(segment: StyledSegment, styles: Styles): string {
  let text = segment.text;
  if (segment.code) text = styles.yellow(text);
  if (segment.italic) text = styles.italic(text);
  if (segment.strike) text = styles.strike(text);
  if (segment.link) text = styles.underline(text);
  if (segment.heading) text = styles.cyan(text);
  if (segment.bold) text = styles.bold(text);
  if (segment.dim || segment.quote) text = styles.dim(text);
  return text;
}
