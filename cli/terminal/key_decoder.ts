/**
 * Turns what a terminal in raw mode sends into keys: printable text, Enter,
 * the arrows, Home/End (in their xterm, rxvt and application-mode spellings),
 * Delete, Backspace, the readline control keys (Ctrl-A/E/B/F/U/K/W/Y/P/N/D/C)
 * and Alt-B/F/Backspace for words. An escape sequence cut at the end of a
 * chunk is kept for the next one; unknown sequences are dropped whole, so
 * they never print as `^[[…`.
 *
 * @example
 * ```ts
 * const { keys, rest } = decodeKeys("ab\x1b[D");
 * // keys: [{ type: "text", text: "ab" }, { type: "left" }], rest: ""
 * ```
 */

/** One key (or run of typed text) from the terminal. */
export type Key =
  | { type: "text"; text: string }
  | {
    type:
      | "enter"
      | "left"
      | "right"
      | "up"
      | "down"
      | "home"
      | "end"
      | "delete"
      | "backspace"
      | "word-left"
      | "word-right"
      | "kill-start"
      | "kill-end"
      | "kill-word"
      | "yank"
      | "eof"
      | "interrupt"
      | "redraw";
  };

type KeyName = Exclude<Key["type"], "text">;

const CONTROLS: Record<string, KeyName> = {
  "\r": "enter",
  "\n": "enter",
  "\x01": "home",
  "\x02": "left",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x05": "end",
  "\x06": "right",
  "\x08": "backspace",
  "\x0b": "kill-end",
  "\x0c": "redraw",
  "\x0e": "down",
  "\x10": "up",
  "\x15": "kill-start",
  "\x17": "kill-word",
  "\x19": "yank",
  "\x7f": "backspace",
};

/** CSI sequences (`ESC [ … final`) by their parameters and final byte. */
const CSI: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "1;5C": "word-right",
  "1;5D": "word-left",
  "1;3C": "word-right",
  "1;3D": "word-left",
};

/** SS3 sequences (`ESC O x`), sent by terminals in application cursor mode. */
const SS3: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};

/** Alt-key pairs (`ESC x`). */
const ALT: Record<string, KeyName> = {
  b: "word-left",
  f: "word-right",
  "\x7f": "kill-word",
  "\x08": "kill-word",
};

/**
 * The keys in `input`, and what is left of an escape sequence cut at its end
 * (pass it in front of the next chunk).
 */
export function decodeKeys(input: string): { keys: Key[]; rest: string } {
  const keys: Key[] = [];
  let text = "";
  const flush = () => {
    if (text) keys.push({ type: "text", text });
    text = "";
  };
  let index = 0;
  while (index < input.length) {
    const char = input[index];
    if (char === "\x1b") {
      const next = input[index + 1];
      if (next === undefined) {
        flush();
        return { keys, rest: input.slice(index) };
      }
      if (next === "[" || next === "O") {
        // Parameters are digits and ';'; the final byte is a letter or '~'.
        let end = index + 2;
        while (end < input.length && /[0-9;]/.test(input[end])) end++;
        if (end >= input.length) {
          flush();
          return { keys, rest: input.slice(index) };
        }
        const body = input.slice(index + 2, end + 1);
        const name = next === "[" ? CSI[body] : SS3[body];
        flush();
        if (name) keys.push({ type: name });
        index = end + 1;
        continue;
      }
      const name = ALT[next];
      flush();
      if (name) {
        keys.push({ type: name });
        index += 2;
      } else {
        // A lone Escape before a key: the key counts, the Escape does not.
        index += 1;
      }
      continue;
    }
    const control = CONTROLS[char];
    if (control) {
      flush();
      keys.push({ type: control });
    } else if (char >= " ") {
      text += char;
    }
    // Other control characters (Tab, Ctrl-Z …) are ignored.
    index++;
  }
  flush();
  return { keys, rest: "" };
}
