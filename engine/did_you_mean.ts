/**
 * "Did you mean …?" suggestions for names a user mistyped: a step id, an
 * input, a filter, an unknown key. Candidates are ranked by Levenshtein
 * distance (case-insensitive), and only close enough ones are offered, so a
 * suggestion is a likely fix rather than noise.
 *
 * @example
 * ```ts
 * didYouMean("outlne", ["angles", "outline", "draft"]); // "outline"
 * ```
 */

/** Edit distance between two strings: insertions, deletions and substitutions each cost 1. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Options for {@linkcode didYouMean}. */
export interface DidYouMeanOptions {
  /** Largest distance still suggested; default: a third of the word's length, at least 2. */
  maxDistance?: number;
}

/**
 * The candidate closest to `word`, or undefined when none is close enough;
 * failing that, the first candidate that starts with `word` (at least three
 * letters). Ties go to the candidate listed first. A candidate equal to `word` is
 * never suggested (it would not be a fix).
 */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  options: DidYouMeanOptions = {},
): string | undefined {
  const lowered = word.toLowerCase();
  const limit = options.maxDistance ?? Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = levenshtein(lowered, candidate.toLowerCase());
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || lowered.length < 3) return best;
  // No close spelling: a candidate that the word abbreviates (`selected` → `selected_response`).
  for (const candidate of candidates) {
    if (candidate !== word && candidate.toLowerCase().startsWith(lowered)) return candidate;
  }
  return undefined;
}

/** `: did you mean "x"?` when there is a suggestion, else the empty string, for message tails. */
export function didYouMeanSuffix(suggestion: string | undefined): string {
  return suggestion === undefined ? "" : `: did you mean "${suggestion}"?`;
}
