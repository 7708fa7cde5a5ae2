import assert from "node:assert/strict";
import { ConflictError, formatIssue, ValidationError, WriteItError } from "./errors.ts";

Deno.test("formatIssue() puts file, line and column first and the dotted path last", () => {
  assert.equal(
    formatIssue({
      severity: "error",
      message: 'Cannot resolve "steps.outlne": did you mean "steps.outline"?',
      path: "steps.draft.prompt_template",
      file: "tech.yaml",
      line: 42,
      column: 7,
    }),
    'tech.yaml:42:7: error: Cannot resolve "steps.outlne": did you mean "steps.outline"? (at steps.draft.prompt_template)',
  );
});

Deno.test("WriteItError subclasses carry a stable code and their own name", () => {
  const error = new ValidationError("bad", []);
  assert.ok(error instanceof WriteItError);
  assert.equal(error.code, "validation_failed");
  assert.equal(error.name, "ValidationError");
  assert.equal(new ConflictError("x", { code: "stale_version" }).code, "stale_version");
});
