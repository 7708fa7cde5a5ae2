import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { h } from "preact";
import { blocks, MarkdownView, wordCount } from "./markdown_view.tsx";

Deno.test("blocks() reads headings, paragraphs, lists, quotes, code and rules", () => {
  const text =
    "# Title\n\nFirst line\nsecond line\n\n- one\n- two\n  more\n\n1. a\n2. b\n\n> said\n\n```\nx < y\n```\n\n---";
  assert.deepEqual(blocks(text).map((block) => block.kind), [
    "heading",
    "paragraph",
    "list",
    "list",
    "quote",
    "code",
    "rule",
  ]);
  const [, paragraph, list] = blocks(text);
  assert.deepEqual(paragraph, { kind: "paragraph", lines: ["First line", "second line"] });
  assert.deepEqual(list, { kind: "list", ordered: false, items: ["one", "two more"] });
});

Deno.test("MarkdownView keeps raw HTML and unsafe links as text", () => {
  const html = renderToString(
    h(MarkdownView, {
      text:
        "## Hi <script>alert(1)</script>\n\n**bold** and [x](javascript:alert(1)) and [ok](https://example.com) <img src=x onerror=alert(1)>",
    }),
  );
  assert.ok(!html.includes("<script>"), html);
  assert.ok(!html.includes("<img"), html);
  assert.ok(!html.includes('href="javascript'), html);
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<a href="https:\/\/example.com" rel="noopener noreferrer nofollow"/);
  assert.match(html, /&lt;script>/);
});

Deno.test("wordCount() counts words, not Markdown marks", () => {
  assert.equal(wordCount("# A title\n\n- **Bold** words, it’s done."), 6);
  assert.equal(wordCount(""), 0);
});
