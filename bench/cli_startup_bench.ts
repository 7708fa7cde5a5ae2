/**
 * CLI start-up: wall time of `writeit --help` and `writeit pipeline list`
 * (the real cli.ts under the project's config, as the launcher runs it)
 * against `deno eval ""` measured in the same run. Median of 10 runs each,
 * after one warm-up run that fills Deno's module cache. Target: under 3×
 * the baseline.
 */
import { type BenchResult, percentile } from "./bench_result.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const RUNS = 10;

async function wallTime(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (!output.success) {
    throw new Error(`deno ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return elapsed;
}

async function median(args: string[], env: Record<string, string>): Promise<number> {
  await wallTime(args, env);
  const times: number[] = [];
  for (let index = 0; index < RUNS; index++) times.push(await wallTime(args, env));
  return percentile(times, 50);
}

/** Runs the start-up benchmark. */
export async function run(): Promise<BenchResult[]> {
  const home = await Deno.makeTempDir({ prefix: "writeit-bench-home-" });
  const env = { WRITEIT_HOME: home, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", RUST_BACKTRACE: "0" };
  try {
    const baseline = await median(["eval", ""], env);
    const cli = ["run", "--quiet", "--allow-all", "--config", CONFIG, CLI];
    const results: BenchResult[] = [];
    for (
      const [name, args] of [["writeit --help", ["--help"]], ["writeit pipeline list", [
        "pipeline",
        "list",
      ]]] as const
    ) {
      const value = await median([...cli, ...args], env);
      const ratio = value / baseline;
      results.push({
        name: `${name} (median of ${RUNS})`,
        value,
        unit: "ms",
        baseline: { name: 'deno eval ""', value: baseline },
        ratio,
        target: "< 3x baseline",
        met: ratio < 3,
      });
    }
    return results;
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) {
  for (const result of await run()) {
    console.log(
      `${result.name}: ${result.value.toFixed(1)} ms, baseline ${
        result.baseline?.value.toFixed(1)
      } ms, ratio ${result.ratio?.toFixed(2)}`,
    );
  }
}
