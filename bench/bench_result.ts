/**
 * What a benchmark reports: a measured value, and where the target is a
 * ratio, the baseline it was measured against in the same run. `bench/main.ts`
 * prints every result as one table row.
 */

/** One measured number. */
export interface BenchResult {
  /** What was measured, such as `append 100 runs concurrently`. */
  name: string;
  value: number;
  /** `events/s`, `ms`, `µs`, `bytes/event`, … */
  unit: string;
  /** Lowest and highest of the repetitions `value` is the median of, when it was repeated. */
  range?: [number, number];
  /** The same-run baseline, when the target is relative. */
  baseline?: { name: string; value: number };
  /** value / baseline.value (or the inverse where lower is better), precomputed. */
  ratio?: number;
  /** The target in words, such as `>= 100000 events/s` or `< 1.3x floor`. */
  target?: string;
  /** Whether the target is met; undefined when there is no target. */
  met?: boolean;
}

/** Percentile of a list of numbers (p in 0..100), by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
