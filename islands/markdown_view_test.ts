import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { h } from "preact";
import { assertSafeHtml, HOSTILE_MARKDOWN } from "../tests/fixtures/hostile_markdown.ts";
import { inline, MarkdownView, wordCount } from "./markdown_view.tsx";

const draw = (text: string, documentId?: string) =>
  renderToString(h(MarkdownView, { text, documentId }));

Deno.test("MarkdownView draws headings below the page's, tables, nested lists and footnotes", () => {
  const html = draw(
    "# Title\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- one\n  - one.a\n\nSee[^1].\n\n[^1]: Source.",
    "c3",
  );
  assert.match(html, /<h3>Title<\/h3>/);
  assert.match(
    html,
    /<div class="table-scroll"><table><thead><tr><th style="text-align:left;?">a<\/th>/,
  );
  assert.match(html, /<td style="text-align:right;?">2<\/td>/);
  assert.match(html, /<li>one<ul><li>one.a<\/li><\/ul><\/li>/);
  assert.match(
    html,
    /<sup class="footnote-ref"><a href="#fn-c3-1" id="fnref-c3-1">\[1\]<\/a><\/sup>/,
  );
  assert.match(html, /<ol class="footnotes"><li id="fn-c3-1"><p>Source\./);
});

Deno.test("MarkdownView keeps raw HTML and unsafe links as text", () => {
  const html = draw(
    "## Hi <script>alert(1)</script>\n\n**bold** and [x](javascript:alert(1)) and [ok](https://example.com) <img src=x onerror=alert(1)>",
  );
  assert.ok(!html.includes("<script>"), html);
  assert.ok(!html.includes("<img"), html);
  assert.ok(!html.includes('href="javascript'), html);
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<a href="https:\/\/example.com" rel="noopener noreferrer nofollow"/);
  assert.match(html, /&lt;script>/);
});

Deno.test("MarkdownView lets no hostile Markdown through", () => {
  for (const sample of HOSTILE_MARKDOWN) assertSafeHtml(draw(sample), JSON.stringify(sample));
});

Deno.test("inline() gives a sentence's marks without a paragraph", () => {
  const html = renderToString(h("span", null, inline("Tick *Take* and `x`")));
  assert.equal(html, "<span>Tick <em>Take</em> and <code>x</code></span>");
});

Deno.test("wordCount() counts words, not Markdown marks", () => {
  assert.equal(wordCount("# A title\n\n- **Bold** words, it’s done."), 6);
  assert.equal(wordCount(""), 0);
});
