import assert from "node:assert/strict";
import { Tiktoken } from "js-tiktoken/lite";
import ranks from "js-tiktoken/ranks/cl100k_base";
import { countTokens } from "./token_counter.ts";

const direct = new Tiktoken(ranks);

Deno.test("countTokens() counts long ordinary text exactly as one encode does", async () => {
  const paragraph =
    "Event sourcing keeps every decision a writer makes, so a run can be replayed,\n" +
    "branched  or exported with its provenance.\tCaches make re-runs free; “quotes” and émojis 😀 too. ";
  for (const text of [paragraph, paragraph.repeat(60), paragraph.repeat(60) + "   \n\n  tail"]) {
    assert.equal(
      await countTokens(text),
      direct.encode(text, "all").length,
      `${text.length} chars`,
    );
  }
});

Deno.test("countTokens() estimates runs of 300,000 letters, spaces or symbols at a quarter token per character", async () => {
  // Encoding such a run exactly is quadratic: minutes for one request.
  for (const run of ["a".repeat(300_000), " ".repeat(300_000), "#".repeat(300_000)]) {
    assert.equal(
      await countTokens(`Start ${run} end`),
      75_000 + direct.encode("Start   end").length,
    );
  }
});
