import assert from "node:assert/strict";
import { generationLabel, generationNumber } from "./generation_number.ts";

Deno.test("generationNumber() counts the stored 0-based generation from 1", () => {
  assert.equal(generationNumber(0), 1);
  assert.equal(generationNumber(3), 4);
});

Deno.test('generationLabel() reads "generation N" with N from 1', () => {
  assert.equal(generationLabel(0), "generation 1");
  assert.equal(generationLabel(1), "generation 2");
});
