import assert from "node:assert/strict";
import { didYouMean, didYouMeanSuffix, levenshtein } from "./did_you_mean.ts";

Deno.test("levenshtein() counts insertions, deletions and substitutions", () => {
  assert.equal(levenshtein("kitten", "sitting"), 3);
  assert.equal(levenshtein("", "abc"), 3);
  assert.equal(levenshtein("outline", "outline"), 0);
  assert.equal(levenshtein("outlne", "outline"), 1);
});

Deno.test("didYouMean() suggests the closest candidate within reach", () => {
  assert.equal(didYouMean("outlne", ["angles", "outline", "draft"]), "outline");
  assert.equal(
    didYouMean("prompt_templte", ["prompt_template", "system_prompt"]),
    "prompt_template",
  );
  assert.equal(didYouMean("Draft", ["draft"]), "draft");
  assert.equal(didYouMean("selected", ["responses", "selected_response"]), "selected_response");
});

Deno.test("didYouMean() stays silent when nothing is close or the word is exact", () => {
  assert.equal(didYouMean("zebra", ["angles", "outline"]), undefined);
  assert.equal(didYouMean("draft", ["draft"]), undefined);
  assert.equal(didYouMean("ab", ["xy"], { maxDistance: 1 }), undefined);
  assert.equal(didYouMean("se", ["selected_response"]), undefined);
});

Deno.test("didYouMeanSuffix() formats a message tail", () => {
  assert.equal(didYouMeanSuffix("outline"), ': did you mean "outline"?');
  assert.equal(didYouMeanSuffix(undefined), "");
});
