import assert from "node:assert/strict";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("bench/main.ts --check exits 1 on a missed target, 0 when all are met", async () => {
  const folder = await Deno.makeTempDir({ prefix: "writeit-bench-check-" });
  try {
    const result = (met: boolean) =>
      `export const run = () => Promise.resolve([{ name: "sample", value: 2, unit: "ms", target: "< 1 ms", met: ${met} }]);\n`;
    await Deno.writeTextFile(`${folder}/miss_bench.ts`, result(false));
    await Deno.writeTextFile(`${folder}/meet_bench.ts`, result(true));
    const missed = await bench(["--dir", folder, "--check"]);
    assert.equal(missed.code, 1, missed.stderr);
    assert.match(missed.stdout, /sample: 2\.00 ms {2}target < 1 ms NOT MET/);
    assert.match(missed.stdout, /1 target\(s\) not met\n$/);
    assert.equal((await bench(["--dir", folder])).code, 0, "without --check it only reports");
    assert.equal((await bench(["--dir", folder, "--check", "meet"])).code, 0);
    const none = await bench(["--dir", folder, "nothing"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No benchmark matches "nothing"/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
