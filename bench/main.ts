/**
 * `deno task bench`: runs every `bench/*_bench.ts` (or those named on the
 * command line, such as `deno task bench event_store`) and prints one row per
 * result with its same-run baseline and ratio.
 */
import type { BenchResult } from "./bench_result.ts";

const filters = Deno.args;
const directory = new URL(".", import.meta.url);
const files = [...Deno.readDirSync(directory)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith("_bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

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
