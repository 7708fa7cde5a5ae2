/**
 * The word diff the dashboard used before engine/text/word_diff.ts: a full
 * longest-common-subsequence table over word tokens, falling back to one
 * replaced middle above 4 million cells. Kept only as the same-run baseline
 * of bench/word_diff_bench.ts.
 */

/** One run of the diff. */
export interface DiffPart {
  kind: "equal" | "added" | "removed";
  text: string;
}

/** Largest token-count product diffed exactly (about 16 MB of table). */
const MAX_CELLS = 4_000_000;

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
export function wordDiff(before: string, after: string): DiffPart[] {
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
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  if (middleA.length * middleB.length > MAX_CELLS) {
    push(parts, "removed", middleA.join(""));
    push(parts, "added", middleB.join(""));
  } else {
    for (const part of lcsDiff(middleA, middleB)) push(parts, part.kind, part.text);
  }
  push(parts, "equal", a.slice(endA).join(""));
  return parts;
}

function lcsDiff(a: string[], b: string[]): DiffPart[] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j]
        ? table[(i + 1) * width + j + 1] + 1
        : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push(parts, "equal", a[i]);
      i++;
      j++;
    } else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) {
      push(parts, "removed", a[i++]);
    } else {
      push(parts, "added", b[j++]);
    }
  }
  while (i < a.length) push(parts, "removed", a[i++]);
  while (j < b.length) push(parts, "added", b[j++]);
  return parts;
}

/** Counts of words added and removed, for a one-line summary. */
export function diffStats(parts: DiffPart[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    const words = diffTokens(part.text).filter((token) => token.trim() !== "").length;
    if (part.kind === "added") added += words;
    if (part.kind === "removed") removed += words;
  }
  return { added, removed };
}
