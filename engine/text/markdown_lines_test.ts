import assert from "node:assert/strict";
import fc from "fast-check";
import { HOSTILE_MARKDOWN } from "../../tests/fixtures/hostile_markdown.ts";
import { displayWidth, lineText, markdownLines } from "./markdown_lines.ts";

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const text = (markdown: string, width = 40) => markdownLines(markdown, { width }).map(lineText);

Deno.test("markdownLines() wraps paragraphs, keeps marks as styles and names link targets", () => {
  const lines = markdownLines(
    "# Title\n\nSome **bold** and *it* with a [link](https://example.com/a) and `code` to wrap.",
    { width: 30 },
  );
  assert.deepEqual(lines.map(lineText), [
    "Title",
    "",
    "Some bold and it with a link",
    "(https://example.com/a) and",
    "code to wrap.",
  ]);
  assert.deepEqual(lines[0], [{ text: "Title", bold: true, heading: 1 }]);
  assert.ok(lines[2].some((segment) => segment.text === "bold" && segment.bold));
  assert.ok(lines[2].some((segment) => segment.text === "it" && segment.italic));
  assert.ok(lines[2].some((segment) => segment.text === "link" && segment.link));
  assert.ok(lines[4].some((segment) => segment.text === "code" && segment.code));
});

Deno.test("markdownLines() draws lists, quotes, code, rules, tables and footnotes", () => {
  assert.deepEqual(
    text(
      "3. first\n4. second, long enough to wrap here\n   - nested\n\n> quoted\n\n```\nx = 1\n```\n\n---\n\n| Name | N |\n|:-|-:|\n| pears | 12 |\n\nA note[^1].\n\n[^1]: Source.",
      30,
    ),
    [
      "3. first",
      "4. second, long enough to wrap",
      "   here",
      "   • nested",
      "",
      "│ quoted",
      "",
      "  x = 1",
      "",
      "──────────────────────────────",
      "",
      "┌───────┬────┐",
      "│ Name  │  N │",
      "├───────┼────┤",
      "│ pears │ 12 │",
      "└───────┴────┘",
      "",
      "A note[1].",
      "",
      "────────────────────",
      "[1] Source.",
    ],
  );
});

Deno.test("markdownLines() shows a table too wide for the terminal as labelled rows", () => {
  const row = "| " + ["alpha", "beta", "gamma"].map((word) => word.repeat(4)).join(" | ") + " |";
  assert.deepEqual(text(`| First | Second | Third |\n|---|---|---|\n${row}`, 30), [
    "First: alphaalphaalphaalpha",
    "Second: betabetabetabeta",
    "Third: gammagammagammagamma",
  ]);
});

Deno.test("markdownLines() drops control characters, so a text cannot drive the terminal", () => {
  for (const sample of HOSTILE_MARKDOWN) {
    for (const line of text(sample)) {
      assert.doesNotMatch(line, CONTROL, JSON.stringify(sample));
    }
  }
  assert.deepEqual(text("\x1b[2J\x1b]0;owned\x07 plain"), ["[2J]0;owned plain"]);
});

Deno.test("markdownLines() never draws a line wider than asked", () => {
  const word = fc.stringMatching(/^[a-zA-Z語]{1,30}$/);
  const markdown = fc.array(
    fc.oneof(word, fc.constantFrom(" ", "\n", "\n\n", "- ", "> ", "**", "`", "1. ")),
    { maxLength: 60 },
  );
  fc.assert(
    fc.property(markdown, fc.integer({ min: 20, max: 60 }), (parts, width) => {
      for (const line of text(parts.join(""), width)) {
        assert.ok(displayWidth(line) <= width, `${JSON.stringify(line)} is wider than ${width}`);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("displayWidth() counts wide characters twice and control characters not at all", () => {
  assert.equal(displayWidth("abc"), 3);
  assert.equal(displayWidth("日本"), 4);
  assert.equal(displayWidth("a\x1bb"), 2);
});
