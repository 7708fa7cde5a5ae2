import assert from "node:assert/strict";
import { decodeKeys } from "./key_decoder.ts";
import { LineEditor, renderLine } from "./line_editor.ts";

function type(editor: LineEditor, input: string): string[] {
  return decodeKeys(input).keys.map((key) => editor.apply(key));
}

Deno.test("LineEditor inserts and deletes in the middle of the line", () => {
  const editor = new LineEditor();
  type(editor, "Event sorcing\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x7fou");
  assert.equal(editor.text, "Event ouorcing");
  type(editor, "\x01X\x1b[3~\x05!");
  assert.equal(editor.text, "Xvent ouorcing!");
  type(editor, "\x01\x1b[3~");
  assert.equal(editor.text, "vent ouorcing!");
  assert.equal(editor.cursor, 0);
});

Deno.test("LineEditor kills with Ctrl-U, Ctrl-K and Ctrl-W, and Ctrl-Y yanks the last kill", () => {
  const editor = new LineEditor({ text: "pick the second one" });
  type(editor, "\x17");
  assert.equal(editor.text, "pick the second ");
  type(editor, "\x19");
  assert.equal(editor.text, "pick the second one");
  type(editor, "\x1bb\x1bb\x0b");
  assert.equal(editor.text, "pick the ");
  type(editor, "\x15");
  assert.equal(editor.text, "");
});

Deno.test("LineEditor walks its history with Up and Down and keeps the line being typed", () => {
  const editor = new LineEditor({ history: ["first", "second"] });
  type(editor, "draft");
  type(editor, "\x1b[A");
  assert.equal(editor.text, "second");
  type(editor, "\x1b[A\x1b[A");
  assert.equal(editor.text, "first");
  type(editor, "\x1b[B");
  assert.equal(editor.text, "second");
  type(editor, "\x1b[B");
  assert.equal(editor.text, "draft");
});

Deno.test("LineEditor: Enter submits, Ctrl-C interrupts, Ctrl-D ends only an empty line", () => {
  const editor = new LineEditor({ text: "ab" });
  assert.deepEqual(type(editor, "\x01\x04"), ["edited", "edited"]);
  assert.equal(editor.text, "b");
  assert.deepEqual(type(editor, "\r"), ["submit"]);
  assert.deepEqual(type(new LineEditor(), "\x04"), ["eof"]);
  assert.deepEqual(type(new LineEditor(), "\x03"), ["interrupt"]);
});

Deno.test("renderLine() redraws in place and scrolls a line longer than the screen to the cursor", () => {
  assert.equal(renderLine("> ", { text: "abc", cursor: 1 }, 80), "\r> abc\x1b[K\x1b[2D");
  const long = "x".repeat(100) + "END";
  const drawn = renderLine("> ", { text: long, cursor: long.length }, 40);
  assert.ok(drawn.startsWith("\r> …x") && drawn.endsWith("xEND\x1b[K"), JSON.stringify(drawn));
  // The prompt, then one column short of the rest of the screen, for the cursor after the end.
  assert.equal(drawn.length - "\r> \x1b[K".length, 40 - 2 - 2);
});
