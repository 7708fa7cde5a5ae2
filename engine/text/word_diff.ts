/**
 * Word-level diff of two texts, shared by every interface that shows one
 * (the dashboard's compare view, `writeit diff`, the REST API, the terminal
 * UI). It runs jsdiff's Myers diff over words and the whitespace between
 * them, so its cost grows with the size of the change rather than with the
 * product of the two lengths, and returns runs marked equal, added (only in
 * the second text) or removed (only in the first) that rebuild both texts
 * exactly. A diff that would take longer than `timeoutMs` (two long texts
 * with almost nothing in common) becomes one replaced middle between the
 * shared start and end.
 *
 * @example
 * ```ts
 * wordDiff("the quick fox", "the slow fox");
 * // [{ kind: "equal", text: "the " }, { kind: "removed", text: "quick" },
 * //  { kind: "added", text: "slow" }, { kind: "equal", text: " fox" }]
 * ```
 */
import { diffWordsWithSpace } from "diff";

/** One run of the diff. */
export interface DiffPart {
  kind: "equal" | "added" | "removed";
  text: string;
}

/** Counts of words on each side of a diff. */
export interface DiffStats {
  added: number;
  removed: number;
  unchanged: number;
}

/** Options of {@linkcode wordDiff}. */
export interface WordDiffOptions {
  /** Longest time spent looking for the smallest diff before giving one replaced middle (default 1000 ms). */
  timeoutMs?: number;
}

/** Splits text into words and whitespace runs, keeping every character. */
export function diffTokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

function push(parts: DiffPart[], kind: DiffPart["kind"], text: string): void {
  if (text === "") return;
  const last = parts[parts.length - 1];
  if (last && last.kind === kind) last.text += text;
  else parts.push({ kind, text });
}

/** The word-level diff from `before` to `after`. */
export function wordDiff(
  before: string,
  after: string,
  options: WordDiffOptions = {},
): DiffPart[] {
  const parts: DiffPart[] = [];
  if (before === after) {
    push(parts, "equal", before);
    return parts;
  }
  const changes = diffWordsWithSpace(before, after, { timeout: options.timeoutMs ?? 1000 });
  if (changes === undefined) return replacedMiddle(before, after);
  for (const change of changes) {
    push(parts, change.added ? "added" : change.removed ? "removed" : "equal", change.value);
  }
  return parts;
}

function replacedMiddle(before: string, after: string): DiffPart[] {
  const a = diffTokens(before);
  const b = diffTokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  push(parts, "equal", a.slice(0, start).join(""));
  push(parts, "removed", a.slice(start, endA).join(""));
  push(parts, "added", b.slice(start, endB).join(""));
  push(parts, "equal", a.slice(endA).join(""));
  return parts;
}

function countWords(text: string): number {
  return text.match(/[^\s]+/g)?.length ?? 0;
}

/** Counts of words added, removed and kept, for a one-line summary. */
export function diffStats(parts: readonly DiffPart[]): DiffStats {
  const stats: DiffStats = { added: 0, removed: 0, unchanged: 0 };
  for (const part of parts) {
    const words = countWords(part.text);
    if (part.kind === "added") stats.added += words;
    else if (part.kind === "removed") stats.removed += words;
    else stats.unchanged += words;
  }
  return stats;
}

/** The text a diff was computed from (`"before"`) or to (`"after"`). */
export function diffSide(parts: readonly DiffPart[], side: "before" | "after"): string {
  const other = side === "before" ? "added" : "removed";
  return parts.filter((part) => part.kind !== other).map((part) => part.text).join("");
}
