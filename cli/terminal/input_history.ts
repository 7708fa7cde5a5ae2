/**
 * What the writer typed at the prompts, kept per kind of prompt (`choice`
 * for the step menu, `feedback`, `input.topic` …) in one file of the WriteIt
 * home (`~/.writeit/history`, JSON lines `{"kind","text"}`, readable only by
 * its owner), so Up at the feedback prompt brings back earlier feedback and
 * not menu keys. Each submitted line is appended at once (several CLIs may
 * share the file); the file is cut back to the newest `limit` entries when it
 * grows past it by a fifth. A file that cannot be read or written only loses
 * the history, never the prompt.
 *
 * @example
 * ```ts
 * const history = InputHistory.open("/home/me/.writeit/history");
 * history.add("feedback", "Shorter, please");
 * history.entries("feedback"); // [..., "Shorter, please"]
 * ```
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Entries kept in the history file, all kinds together. */
export const HISTORY_LIMIT = 1000;

/** Longest line worth keeping (longer ones are pastes, not commands). */
const MAX_ENTRY_LENGTH = 4000;

/** Where the history of the WriteIt home `home` is kept. */
export function historyPath(home: string): string {
  return join(home, "history");
}

interface Entry {
  kind: string;
  text: string;
}

/** The prompts' history, backed by a file (or by nothing, in memory). */
export class InputHistory {
  #entries: Entry[];
  #path?: string;
  #limit: number;

  constructor(options: { path?: string; entries?: Entry[]; limit?: number } = {}) {
    this.#path = options.path;
    this.#entries = options.entries ?? [];
    this.#limit = options.limit ?? HISTORY_LIMIT;
  }

  /** The history in the file at `path` (empty when it does not exist or cannot be read). */
  static open(path: string, options: { limit?: number } = {}): InputHistory {
    let entries: Entry[] = [];
    try {
      entries = readFileSync(path, "utf8").split("\n").flatMap((line) => {
        if (!line.trim()) return [];
        try {
          const entry = JSON.parse(line);
          return typeof entry?.kind === "string" && typeof entry?.text === "string"
            ? [{ kind: entry.kind, text: entry.text }]
            : [];
        } catch {
          return [];
        }
      });
    } catch {
      // No history yet, or unreadable: start empty.
    }
    return new InputHistory({ path, entries, limit: options.limit });
  }

  /** The lines typed at prompts of `kind`, oldest first, without repeats in a row. */
  entries(kind: string): string[] {
    const texts: string[] = [];
    for (const entry of this.#entries) {
      if (entry.kind === kind && texts[texts.length - 1] !== entry.text) texts.push(entry.text);
    }
    return texts;
  }

  /** Records a submitted line (blank lines and a repeat of the last one are not kept). */
  add(kind: string, text: string): void {
    if (!text.trim() || text.length > MAX_ENTRY_LENGTH) return;
    const last = this.entries(kind).at(-1);
    if (last === text) return;
    const entry = { kind, text };
    this.#entries.push(entry);
    if (!this.#path) {
      if (this.#entries.length > this.#limit) {
        this.#entries.splice(0, this.#entries.length - this.#limit);
      }
      return;
    }
    try {
      if (this.#entries.length > this.#limit * 1.2) {
        this.#entries.splice(0, this.#entries.length - this.#limit);
        writeFileSync(
          this.#path,
          this.#entries.map((kept) => JSON.stringify(kept) + "\n").join(""),
          { mode: 0o600 },
        );
      } else {
        appendFileSync(this.#path, JSON.stringify(entry) + "\n", { mode: 0o600 });
      }
    } catch {
      // A home that cannot be written loses the history, not the answer.
    }
  }
}
