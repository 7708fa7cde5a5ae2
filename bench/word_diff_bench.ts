/**
 * Word diff of two drafts, engine/text/word_diff.ts (jsdiff's Myers diff)
 * against the LCS table it replaced (bench/baselines/lcs_word_diff.ts),
 * both measured in this run on the same texts: a revision that changes one
 * word in 50. At 1,000 words both diff exactly, so the row compares time;
 * at 20,000 words the LCS table would need 1.6 billion cells, so it gives up
 * and marks the whole text changed, and the row compares how many words
 * each marks as changed (the revision changed 400) as well as time. Peak
 * memory of each at 20,000 words is measured in a fresh process apiece
 * (bench/memory_probe.ts), above that process's floor.
 */
import { diffStats, wordDiff } from "../engine/text/word_diff.ts";
import { diffStats as lcsStats, wordDiff as lcsDiff } from "./baselines/lcs_word_diff.ts";
import type { BenchResult } from "./bench_result.ts";
import { drafts, peakMemory } from "./memory_probe.ts";

function median(action: () => void, rounds = 5): { median: number; range: [number, number] } {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    action();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)],
    range: [times[0], times[times.length - 1]],
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const words of [1_000, 20_000]) {
    const [before, after] = drafts(words);
    const label = `${words.toLocaleString("en-US")}-word drafts, 1 word in 50 changed`;
    const myers = median(() => wordDiff(before, after));
    const lcs = median(() => lcsDiff(before, after));
    results.push({
      name: `word diff of ${label}`,
      value: myers.median,
      unit: "ms",
      range: myers.range,
      baseline: { name: "LCS table", value: lcs.median },
      ratio: myers.median / lcs.median,
      target: words === 20_000 ? "< 500 ms" : "<= 1x LCS table",
      met: words === 20_000 ? myers.median < 500 : myers.median <= lcs.median,
    });
    const changed = diffStats(wordDiff(before, after)).removed;
    const lcsChanged = lcsStats(lcsDiff(before, after)).removed;
    results.push({
      name: `words marked changed in ${label} (truly changed: ${words / 50})`,
      value: changed,
      unit: "words",
      baseline: { name: "LCS table", value: lcsChanged },
      ratio: changed / lcsChanged,
      target: `= ${words / 50}`,
      met: changed === words / 50,
    });
  }
  const floor = await peakMemory("none", 20_000);
  const myersMemory = (await peakMemory("myers-diff", 20_000)) - floor;
  const lcsMemory = (await peakMemory("lcs-diff", 20_000)) - floor;
  results.push({
    name: "peak memory of the word diff of 20,000-word drafts, above the process floor",
    value: Math.max(0, myersMemory),
    unit: "MiB",
    baseline: { name: "LCS table", value: lcsMemory },
    ratio: Math.max(0, myersMemory) / Math.max(0.1, lcsMemory),
    target: "< 64 MiB",
    met: myersMemory < 64,
  });
  return results;
}
