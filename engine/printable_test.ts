import assert from "node:assert/strict";
import { printable } from "./printable.ts";

Deno.test("printable() shows terminal escapes, bells and C1 controls as text", () => {
  assert.equal(
    printable('Unknown key "\x1b]0;PWNED\x07\x1b[2J\x9b31m"'),
    'Unknown key "\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m"',
  );
  assert.equal(printable("a\x00b\x7fc"), "a\\x00b\\x7fc");
});

Deno.test("printable() keeps one line unless told, and keeps tabs and Unicode", () => {
  assert.equal(printable("one\ntwo\r"), "one\\ntwo\\r");
  assert.equal(printable("one\ntwo\r", { multiline: true }), "one\ntwo\\r");
  assert.equal(printable("tab\there — café ✓ 日本"), "tab\there — café ✓ 日本");
});
