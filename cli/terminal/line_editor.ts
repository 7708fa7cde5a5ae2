/**
 * The editing state of one prompt line, as readline keeps it: the text, the
 * cursor, the last killed text (Ctrl-Y yanks it back) and a walk through the
 * prompt's history with Up/Down (the line being typed is kept and comes back
 * below the newest entry). It applies decoded keys (key_decoder.ts) and says
 * when the line is done; drawing it is `renderLine`'s job, reading the
 * terminal is TerminalInput's. Pure, so every key is tested without a
 * terminal.
 *
 * @example
 * ```ts
 * const editor = new LineEditor({ history: ["earlier"] });
 * editor.apply({ type: "text", text: "hello" });
 * editor.apply({ type: "up" }); // editor.text === "earlier"
 * ```
 */
import type { Key } from "./key_decoder.ts";
import { visibleLength } from "../output.ts";

/** What a key did to the line. */
export type EditOutcome = "edited" | "submit" | "eof" | "interrupt";

/** One line being typed, with its history. */
export class LineEditor {
  #chars: string[];
  #cursor: number;
  #killed = "";
  #history: string[];
  /** Position in the history while walking it; `history.length` is the line being typed. */
  #position: number;
  #draft = "";

  constructor(options: { text?: string; history?: string[] } = {}) {
    this.#chars = Array.from(options.text ?? "");
    this.#cursor = this.#chars.length;
    this.#history = options.history ?? [];
    this.#position = this.#history.length;
  }

  /** The line as typed so far. */
  get text(): string {
    return this.#chars.join("");
  }

  /** The cursor, in characters from the start of the line. */
  get cursor(): number {
    return this.#cursor;
  }

  #set(text: string): void {
    this.#chars = Array.from(text);
    this.#cursor = this.#chars.length;
  }

  #wordStart(): number {
    let at = this.#cursor;
    while (at > 0 && this.#chars[at - 1] === " ") at--;
    while (at > 0 && this.#chars[at - 1] !== " ") at--;
    return at;
  }

  #wordEnd(): number {
    let at = this.#cursor;
    while (at < this.#chars.length && this.#chars[at] === " ") at++;
    while (at < this.#chars.length && this.#chars[at] !== " ") at++;
    return at;
  }

  #kill(from: number, to: number): void {
    if (from >= to) return;
    this.#killed = this.#chars.slice(from, to).join("");
    this.#chars.splice(from, to - from);
    this.#cursor = from;
  }

  /** Applies one key. */
  apply(key: Key): EditOutcome {
    switch (key.type) {
      case "text": {
        const typed = Array.from(key.text);
        this.#chars.splice(this.#cursor, 0, ...typed);
        this.#cursor += typed.length;
        return "edited";
      }
      case "enter":
        return "submit";
      case "interrupt":
        return "interrupt";
      case "eof":
        // Ctrl-D ends the input on an empty line and deletes forward otherwise, as in bash.
        if (this.#chars.length === 0) return "eof";
        this.#chars.splice(this.#cursor, 1);
        return "edited";
      case "left":
        this.#cursor = Math.max(0, this.#cursor - 1);
        return "edited";
      case "right":
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        return "edited";
      case "home":
        this.#cursor = 0;
        return "edited";
      case "end":
        this.#cursor = this.#chars.length;
        return "edited";
      case "word-left":
        this.#cursor = this.#wordStart();
        return "edited";
      case "word-right":
        this.#cursor = this.#wordEnd();
        return "edited";
      case "backspace":
        if (this.#cursor > 0) {
          this.#chars.splice(this.#cursor - 1, 1);
          this.#cursor--;
        }
        return "edited";
      case "delete":
        this.#chars.splice(this.#cursor, 1);
        return "edited";
      case "kill-start":
        this.#kill(0, this.#cursor);
        return "edited";
      case "kill-end":
        this.#kill(this.#cursor, this.#chars.length);
        return "edited";
      case "kill-word":
        this.#kill(this.#wordStart(), this.#cursor);
        return "edited";
      case "yank":
        return this.apply({ type: "text", text: this.#killed });
      case "up":
        if (this.#position === 0) return "edited";
        if (this.#position === this.#history.length) this.#draft = this.text;
        this.#position--;
        this.#set(this.#history[this.#position]);
        return "edited";
      case "down":
        if (this.#position >= this.#history.length) return "edited";
        this.#position++;
        this.#set(
          this.#position === this.#history.length ? this.#draft : this.#history[this.#position],
        );
        return "edited";
      case "redraw":
        return "edited";
    }
  }
}

/**
 * What redraws the prompt line in place: back to the line's start, the
 * prompt, the part of the text that fits `columns` (scrolled so the cursor
 * shows, `…` where text is cut), clear to the end, then the cursor put back.
 */
export function renderLine(
  prompt: string,
  editor: { text: string; cursor: number },
  columns: number,
): string {
  const chars = Array.from(editor.text);
  const room = Math.max(10, columns - visibleLength(prompt) - 1);
  let start = 0;
  if (chars.length > room) {
    // Keep the cursor inside the window, a few characters from its right edge.
    start = Math.max(0, Math.min(editor.cursor - room + 4, chars.length - room + 1));
  }
  let shown = chars.slice(start, start + room);
  if (start > 0) shown = ["…", ...shown.slice(1)];
  if (start + room < chars.length) shown = [...shown.slice(0, -1), "…"];
  const back = start + shown.length - editor.cursor;
  return `\r${prompt}${shown.join("")}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`;
}
