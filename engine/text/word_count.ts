/**
 * Words in a text as a writer counts them: letters and digits, with
 * apostrophes and hyphens inside a word, and Markdown marks (`#`, `*`, `_`,
 * backticks, `>`, list dashes) not counted. Every interface shows this count.
 *
 * @example
 * ```ts
 * wordCount("# A title\n\n- **Bold** words, it’s done."); // 6
 * ```
 */

/** Words in `text`. */
export function wordCount(text: string): number {
  const words = text.replace(/[#*_`>\-]+/g, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu);
  return words?.length ?? 0;
}
