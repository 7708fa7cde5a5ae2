import assert from "node:assert/strict";
import { decodeKeys } from "./key_decoder.ts";

Deno.test("decodeKeys() reads text, arrows, Home/End in their spellings and control keys", () => {
  const { keys, rest } = decodeKeys(
    "ab\x1b[D\x1b[C\x1b[A\x1bOB\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~\x01\x05\x15\x0b\x17\x7f\x03\x04\r",
  );
  assert.equal(rest, "");
  assert.deepEqual(keys.map((key) => key.type === "text" ? key.text : key.type), [
    "ab",
    "left",
    "right",
    "up",
    "down",
    "home",
    "end",
    "home",
    "end",
    "delete",
    "home",
    "end",
    "kill-start",
    "kill-end",
    "kill-word",
    "backspace",
    "interrupt",
    "eof",
    "enter",
  ]);
});

Deno.test("decodeKeys() keeps an escape sequence cut at the end of a chunk, and drops unknown ones whole", () => {
  assert.deepEqual(decodeKeys("x\x1b["), { keys: [{ type: "text", text: "x" }], rest: "\x1b[" });
  assert.deepEqual(decodeKeys("\x1b"), { keys: [], rest: "\x1b" });
  assert.deepEqual(decodeKeys("\x1b[200~hi\x1b[201~\x1b[15~").keys, [{ type: "text", text: "hi" }]);
  assert.deepEqual(decodeKeys("\x1bx").keys, [{ type: "text", text: "x" }]);
  assert.deepEqual(decodeKeys("\x1bb\x1bf\x1b\x7f").keys.map((key) => key.type), [
    "word-left",
    "word-right",
    "kill-word",
  ]);
});
