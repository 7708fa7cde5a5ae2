import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { InputHistory } from "./input_history.ts";

Deno.test("InputHistory keeps lines per kind of prompt, in a file other processes read back", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const path = `${folder}/history`;
    const history = InputHistory.open(path);
    history.add("choice", "1");
    history.add("feedback", "Shorter, please");
    history.add("feedback", "Shorter, please");
    history.add("feedback", "   ");
    history.add("choice", "v 2");
    const again = InputHistory.open(path);
    assert.deepEqual(again.entries("choice"), ["1", "v 2"]);
    assert.deepEqual(again.entries("feedback"), ["Shorter, please"]);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("InputHistory cuts its file back to the newest entries past its limit; a bad line is skipped", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const path = `${folder}/history`;
    await Deno.writeTextFile(path, 'not json\n{"kind":"choice","text":"old"}\n');
    const history = InputHistory.open(path, { limit: 10 });
    for (let index = 0; index < 30; index++) history.add("choice", `line ${index}`);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.ok(lines.length <= 12, `${lines.length} lines`);
    assert.equal(InputHistory.open(path).entries("choice").at(-1), "line 29");
    assert.ok(!InputHistory.open(path).entries("choice").includes("old"));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
