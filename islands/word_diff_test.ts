import assert from "node:assert/strict";
import { diffStats, diffTokens, wordDiff } from "./word_diff.ts";

function rebuild(parts: ReturnType<typeof wordDiff>, side: "before" | "after"): string {
  return parts.filter((part) =>
    part.kind === "equal" || part.kind === (side === "before" ? "removed" : "added")
  )
    .map((part) => part.text).join("");
}

Deno.test("wordDiff() marks the replaced word and keeps the rest equal", () => {
  assert.deepEqual(wordDiff("the quick fox", "the slow fox"), [
    { kind: "equal", text: "the " },
    { kind: "removed", text: "quick" },
    { kind: "added", text: "slow" },
    { kind: "equal", text: " fox" },
  ]);
});

Deno.test("wordDiff() handles empty sides and identical texts", () => {
  assert.deepEqual(wordDiff("", "new words"), [{ kind: "added", text: "new words" }]);
  assert.deepEqual(wordDiff("old words", ""), [{ kind: "removed", text: "old words" }]);
  assert.deepEqual(wordDiff("same\ntext", "same\ntext"), [{ kind: "equal", text: "same\ntext" }]);
  assert.deepEqual(wordDiff("", ""), []);
});

Deno.test("wordDiff() parts rebuild both texts exactly", () => {
  const before = "## Hook\n\nMost people meet tide pools long before they can name them.\n";
  const after = "## Hook\n\nMany people meet tide pools before they name them, at low tide.\n";
  const parts = wordDiff(before, after);
  assert.equal(rebuild(parts, "before"), before);
  assert.equal(rebuild(parts, "after"), after);
  assert.deepEqual(diffStats(parts), { added: 5, removed: 4 });
});

Deno.test("wordDiff() falls back to one replaced middle for huge inputs", () => {
  const before = Array.from({ length: 3000 }, (_, index) => `a${index}`).join(" ");
  const after = Array.from({ length: 3000 }, (_, index) => `b${index}`).join(" ");
  const parts = wordDiff(`start ${before} end`, `start ${after} end`);
  assert.equal(parts.length, 4);
  assert.deepEqual(parts.map((part) => part.kind), ["equal", "removed", "added", "equal"]);
  assert.equal(diffTokens("a  b\n").length, 4);
});
