/**
 * Markdown to HTML for the HTML exports: the shared markdown-it parser
 * (engine/text/markdown_tree.ts: CommonMark, tables, strikethrough, autolinks,
 * footnotes; raw HTML never parsed, links only `http:`, `https:`, `mailto:`)
 * renders, then sanitize-html keeps only the elements and attributes that
 * renderer can produce, as a second wall: even a parser bug cannot put a
 * script, an event attribute or a `javascript:` or `data:` URL in an export.
 *
 * @example
 * ```ts
 * markdownToHtml("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |");
 * ```
 */
import sanitizeHtml from "sanitize-html";
import { MARKDOWN_TAGS, markdownParser } from "../text/markdown_tree.ts";

/** Escapes the five HTML special characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const ALLOWED: sanitizeHtml.IOptions = {
  // What the shared renderer draws, plus the section markdown-it's footnotes sit in.
  allowedTags: [...MARKDOWN_TAGS.filter((tag) => tag !== "div"), "section"],
  allowedAttributes: {
    a: ["href", "id", "class"],
    ol: ["start", "class"],
    li: ["id", "class"],
    th: ["style"],
    td: ["style"],
    code: ["class"],
    sup: ["class"],
    section: ["class"],
    hr: ["class"],
  },
  allowedStyles: { "*": { "text-align": [/^(left|right|center)$/] } },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "escape",
};

/** Converts Markdown text to safe HTML; `documentId` prefixes footnote anchors. */
export function markdownToHtml(markdown: string, options: { documentId?: string } = {}): string {
  const html = markdownParser().render(markdown, { docId: options.documentId });
  return sanitizeHtml(html, ALLOWED).trimEnd();
}
