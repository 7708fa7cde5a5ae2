/**
 * Runs one piece of work named on the command line in a fresh process and
 * prints its peak resident memory (VmHWM, in KiB), so a bench can compare
 * the memory of two implementations without either's garbage in the way.
 * `none` does no work and gives the runtime's own floor.
 *
 * @example
 * ```sh
 * deno run -A bench/memory_probe.ts myers-diff 20000
 * ```
 */
import { readFileSync } from "node:fs";
import { wordDiff } from "../engine/text/word_diff.ts";
import { wordDiff as lcsDiff } from "./baselines/lcs_word_diff.ts";

/** Two drafts of `words` words, one word in 50 changed (the word diff bench's texts). */
export function drafts(words: number): [string, string] {
  const before = Array.from({ length: words }, (_, index) => `word${(index * 7919) % 1543}`);
  const after = before.map((word, index) => index % 50 === 25 ? `${word}x` : word);
  return [before.join(" "), after.join(" ")];
}

/** Peak resident memory of a probe run, in MiB. */
export async function peakMemory(work: string, words: number): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(import.meta.url).pathname, work, String(words)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`The memory probe "${work}" failed (exit ${output.code})`);
  return Number(new TextDecoder().decode(output.stdout).trim()) / 1024;
}

if (import.meta.main) {
  const [work, words] = [Deno.args[0], Number(Deno.args[1] ?? 20_000)];
  const [before, after] = drafts(words);
  if (work === "myers-diff") wordDiff(before, after);
  else if (work === "lcs-diff") lcsDiff(before, after);
  else if (work !== "none") {
    throw new Error(`Unknown probe "${work}": use myers-diff, lcs-diff or none`);
  }
  const status = readFileSync("/proc/self/status", "utf8");
  console.log(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "NaN");
}
