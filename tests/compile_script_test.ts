/**
 * `./task compile` (scripts/compile.sh) says where denort comes from: a
 * DENORT_BIN that is not an executable is refused with the file to fetch and
 * the variable to set, before deno compile runs. (Building the binary itself
 * needs denort, which this suite does not download.)
 */
import assert from "node:assert/strict";

Deno.test("scripts/compile.sh refuses a DENORT_BIN that is not an executable, naming the file to fetch", async () => {
  const output = await new Deno.Command("bash", {
    args: [new URL("../scripts/compile.sh", import.meta.url).pathname],
    env: { DENORT_BIN: "/nonexistent/denort" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1);
  assert.match(
    stderr,
    /DENORT_BIN is "\/nonexistent\/denort", which is not an executable file: unzip denort-[\w-]+\.zip \(from https:\/\/dl\.deno\.land\/release\/v\d+\.\d+\.\d+\/denort-[\w-]+\.zip\)/,
  );
});
