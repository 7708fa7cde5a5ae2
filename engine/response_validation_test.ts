import assert from "node:assert/strict";
import { responseHints, validateResponse } from "./response_validation.ts";

const rules = {
  minResponseLength: 10,
  maxResponseLength: 40,
  requiredElements: ["Title", "hook"],
  checks: {},
};

Deno.test("validateResponse() gives one reason per broken rule", () => {
  assert.deepEqual(validateResponse("short", rules), {
    passed: false,
    reasons: ["shorter than 10 characters (5)", 'missing "Title"', 'missing "hook"'],
  });
  assert.deepEqual(validateResponse("x".repeat(41) + " title HOOK", rules).reasons, [
    "longer than 40 characters (52)",
  ]);
});

Deno.test("validateResponse() matches required elements case-insensitively", () => {
  assert.deepEqual(validateResponse("A TITLE with a Hook inside", rules), {
    passed: true,
    reasons: [],
  });
  assert.deepEqual(validateResponse("", undefined), { passed: true, reasons: [] });
});

Deno.test("responseHints() mirrors the rules for the model request", () => {
  assert.deepEqual(responseHints(rules), {
    minLength: 10,
    maxLength: 40,
    requiredElements: ["Title", "hook"],
  });
  assert.equal(responseHints({ requiredElements: [], checks: {} }), undefined);
});
