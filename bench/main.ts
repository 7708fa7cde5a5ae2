/**
 * `deno task bench`: runs every `bench/*_bench.ts` (or those named on the
 * command line, such as `deno task bench event_store`) and prints one row per
 * result with its same-run baseline and ratio. With `--check` it exits 1
 * when any target is missed, so CI or a script can gate on it; `--dir DIR`
 * runs the benchmarks of another folder.
 */
import type { BenchResult } from "./bench_result.ts";

const check = Deno.args.includes("--check");
const dirAt = Deno.args.indexOf("--dir");
const directory = dirAt >= 0
  ? new URL(`file://${Deno.realPathSync(Deno.args[dirAt + 1])}/`)
  : new URL(".", import.meta.url);
const filters = Deno.args.filter((arg, index) =>
  arg !== "--check" && arg !== "--dir" && index !== dirAt + 1
);
const files = [...Deno.readDirSync(directory)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith("_bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(
    `No benchmark matches ${filters.map((name) => `"${name}"`).join(", ")}: see bench/*_bench.ts`,
  );
  Deno.exit(2);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toPrecision(3);
}

let failures = 0;
for (const file of files) {
  const module = await import(new URL(file, directory).href) as {
    run(): Promise<BenchResult[]>;
  };
  console.log(`\n${file}`);
  const results = await module.run();
  for (const result of results) {
    const baseline = result.baseline
      ? `  baseline ${result.baseline.name}: ${formatNumber(result.baseline.value)}`
      : "";
    const ratio = result.ratio !== undefined ? `  ratio ${result.ratio.toFixed(2)}` : "";
    const target = result.target
      ? `  target ${result.target} ${result.met ? "met" : "NOT MET"}`
      : "";
    const range = result.range
      ? ` (median; range ${formatNumber(result.range[0])}–${formatNumber(result.range[1])})`
      : "";
    if (result.met === false) failures++;
    console.log(
      `  ${result.name}: ${
        formatNumber(result.value)
      } ${result.unit}${range}${baseline}${ratio}${target}`,
    );
  }
}
console.log(`\n${failures === 0 ? "all targets met" : `${failures} target(s) not met`}`);
if (check && failures > 0) Deno.exit(1);
