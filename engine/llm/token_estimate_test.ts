import assert from "node:assert/strict";
import { estimateMessageTokens, estimateTokens } from "./token_estimate.ts";

Deno.test("estimateTokens() is ceil(characters / 4)", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("abc"), 1);
  assert.equal(estimateTokens("abcd"), 1);
  assert.equal(estimateTokens("Four words right here"), 6);
  assert.equal(estimateTokens("a".repeat(300_000)), 75_000);
});

Deno.test("estimateMessageTokens() adds 3 per prompt and 4 per message to the contents' estimates", () => {
  assert.equal(
    estimateMessageTokens([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Four words right here" },
    ]),
    3 + (4 + 3) + (4 + 6),
  );
});

Deno.test("the engine's modules do not import the BPE tokenizer at load", async () => {
  for (const file of ["usage_middleware.ts", "budget.ts", "offline_model.ts", "model_factory.ts"]) {
    const source = await Deno.readTextFile(new URL(file, import.meta.url));
    assert.doesNotMatch(source, /token_counter|js-tiktoken/, file);
  }
});
