import assert from "node:assert/strict";
import fc from "fast-check";
import { diffSide, diffStats, diffTokens, wordDiff } from "./word_diff.ts";

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

Deno.test("wordDiff() parts rebuild both texts exactly and count words", () => {
  const before = "## Hook\n\nMost people meet tide pools long before they can name them.\n";
  const after = "## Hook\n\nMany people meet tide pools before they name them, at low tide.\n";
  const parts = wordDiff(before, after);
  assert.equal(diffSide(parts, "before"), before);
  assert.equal(diffSide(parts, "after"), after);
  const stats = diffStats(parts);
  assert.ok(stats.added >= 4 && stats.removed >= 3, JSON.stringify(stats));
  assert.ok(stats.unchanged >= 7, JSON.stringify(stats));
});

Deno.test("wordDiff() rebuilds any two texts (property)", () => {
  const word = fc.constantFrom("tide", "pool", "crab", "the", "a", ",", ".", "\n", "  ", "##");
  const text = fc.array(word, { maxLength: 40 }).map((words) => words.join(" "));
  fc.assert(
    fc.property(text, text, (before, after) => {
      const parts = wordDiff(before, after);
      assert.equal(diffSide(parts, "before"), before);
      assert.equal(diffSide(parts, "after"), after);
      for (let index = 1; index < parts.length; index++) {
        assert.notEqual(parts[index].kind, parts[index - 1].kind);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("wordDiff() finds a few edits in two 20,000-word drafts", () => {
  const words = Array.from({ length: 20_000 }, (_, index) => `w${index % 211}`);
  const edited = words.map((word, index) => index % 1000 === 0 ? "CHANGED" : word);
  const parts = wordDiff(words.join(" "), edited.join(" "));
  assert.deepEqual(diffStats(parts), { added: 20, removed: 20, unchanged: 19_980 });
});

Deno.test("wordDiff() gives one replaced middle when the diff would take too long", () => {
  const before = Array.from({ length: 3000 }, (_, index) => `a${index}`).join(" ");
  const after = Array.from({ length: 3000 }, (_, index) => `b${index}`).join(" ");
  const parts = wordDiff(`start ${before} end`, `start ${after} end`, { timeoutMs: 0 });
  assert.deepEqual(parts.map((part) => part.kind), ["equal", "removed", "added", "equal"]);
  assert.equal(diffSide(parts, "after"), `start ${after} end`);
  assert.equal(diffTokens("a  b\n").length, 4);
});
