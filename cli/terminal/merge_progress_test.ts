import assert from "node:assert/strict";
import { mergeProgressLine } from "./merge_progress.ts";

Deno.test("mergeProgressLine() shows a turning spinner, the characters received and the seconds", () => {
  const first = mergeProgressLine({ frame: 0, numbers: [1, 3], characters: 1234, elapsedMs: 7900 });
  assert.equal(first, "⠋ Merging 1, 3 · 1,234 chars received · 7s");
  const next = mergeProgressLine({ frame: 1, numbers: [1, 3], characters: 0, elapsedMs: 0 });
  assert.equal(next, "⠙ Merging 1, 3 · 0 chars received · 0s");
});
