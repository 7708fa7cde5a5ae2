/**
 * Makes text safe to show in a terminal or a log line: control characters
 * (C0 except tab, DEL and C1) become visible escapes such as `\x1b`, so a
 * key name, a file name or a provider's message quoted in an error can never
 * move the cursor, retitle the window or clear the screen. Unicode text is
 * kept as it is.
 *
 * @example
 * ```ts
 * printable("Unknown key \"\x1b]0;PWNED\x07\""); // 'Unknown key "\\x1b]0;PWNED\\x07"'
 * ```
 */

/** Options for `printable`. */
export interface PrintableOptions {
  /** Keep line breaks (default false: a message stays on one line, `\n` shows as `\n`). */
  multiline?: boolean;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
// deno-lint-ignore no-control-regex
const CONTROL_BUT_NEWLINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r" };

/** `text` with every control character shown as an escape. */
export function printable(text: string, options: PrintableOptions = {}): string {
  const pattern = options.multiline ? CONTROL_BUT_NEWLINE : CONTROL;
  return text.replace(
    pattern,
    (character) =>
      NAMED[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
