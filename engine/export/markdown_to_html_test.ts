import assert from "node:assert/strict";
import fc from "fast-check";
import { assertSafeHtml, HOSTILE_MARKDOWN } from "../../tests/fixtures/hostile_markdown.ts";
import { markdownToHtml } from "./markdown_to_html.ts";

Deno.test("markdownToHtml() renders what model output uses: tables, footnotes, nested lists, reference links", () => {
  const html = markdownToHtml(
    [
      "# Title",
      "",
      "| Name | Count |",
      "|:-----|------:|",
      "| pears | 12 |",
      "",
      "- one",
      "  - one.a",
      "",
      "A claim[^1] and a [reference][docs] and ~~old~~.",
      "",
      "[docs]: https://example.com/docs",
      "",
      "[^1]: The source.",
    ].join("\n"),
    { documentId: "c7" },
  );
  assert.match(html, /<h1>Title<\/h1>/);
  assert.match(html, /<th style="text-align:left">Name<\/th>/);
  assert.match(html, /<td style="text-align:right">12<\/td>/);
  assert.match(html, /<li>one\n<ul>\n<li>one.a<\/li>/);
  assert.match(html, /<a href="https:\/\/example.com\/docs">reference<\/a>/);
  assert.match(html, /<s>old<\/s>/);
  assert.match(
    html,
    /<sup class="footnote-ref"><a href="#fn-c7-1" id="fnref-c7-1">\[1\]<\/a><\/sup>/,
  );
  assert.match(html, /<li id="fn-c7-1" class="footnote-item"><p>The source\./);
});

Deno.test("markdownToHtml() lets no hostile Markdown through: scripts, javascript: and data: links, event attributes", () => {
  for (const sample of HOSTILE_MARKDOWN) {
    const html = markdownToHtml(sample);
    assertSafeHtml(html, JSON.stringify(sample));
  }
  assert.equal(
    markdownToHtml("[x](javascript:alert(1)) [y](https://example.com)"),
    '<p>[x](javascript:alert(1)) <a href="https://example.com">y</a></p>',
  );
  assert.equal(markdownToHtml("<b>raw</b>"), "<p>&lt;b&gt;raw&lt;/b&gt;</p>");
  assert.equal(
    markdownToHtml("![pixel](https://tracker.example/p.gif)"),
    '<p><a class="image" href="https://tracker.example/p.gif">pixel</a></p>',
  );
});

Deno.test("markdownToHtml() output is safe for any mix of hostile fragments", () => {
  const fragment = fc.constantFrom(
    ...HOSTILE_MARKDOWN,
    "**",
    "_",
    "[",
    "](",
    ")",
    "<",
    ">",
    '"',
    "\n\n",
    "| a |\n|---|\n",
    "javascript:",
    "https://example.com",
    "[^1]",
    "[^1]: ",
  );
  fc.assert(
    fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
      assertSafeHtml(markdownToHtml(parts.join("")), JSON.stringify(parts.join("")));
    }),
    { numRuns: 300 },
  );
});

Deno.test("assertSafeHtml() catches what it is there to catch", () => {
  for (
    const unsafe of [
      "<script>x</script>",
      '<a href="javascript:alert(1)">x</a>',
      '<p onclick="x">y</p>',
      '<img src="data:image/png;base64,x">',
      '<a href="data:text/html,x">x</a>',
      '<td style="background:url(x)">x</td>',
    ]
  ) {
    assert.throws(() => assertSafeHtml(unsafe, "sample"), assert.AssertionError, unsafe);
  }
});
