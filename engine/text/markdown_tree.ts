/**
 * Markdown read once, for every interface: markdown-it (CommonMark plus
 * GitHub tables, strikethrough, autolinks and footnotes) parses the text into
 * a small tree of HTML-named elements and plain strings (footnotes last, as
 * an `ol` of class `footnotes`), which the dashboard
 * draws as Preact elements, the terminal as styled lines and exports as HTML.
 *
 * Model output is untrusted, so the parser is set up to give no way in: raw
 * HTML is never parsed (it stays text), links and autolinks keep only
 * `http:`, `https:` and `mailto:` targets (anything else stays as written),
 * and images become links to the image, so no page WriteIt serves or exports
 * loads a resource a model chose.
 *
 * @example
 * ```ts
 * markdownTree("# Title\n\nSome *text*.");
 * // [{ tag: "h1", children: ["Title"] }, { tag: "p", children: ["Some ", { tag: "em", children: ["text"] }, "."] }]
 * ```
 */
import createMarkdownIt, { type MarkdownIt, type Token } from "markdown-it";
import footnote from "markdown-it-footnote";

/** The elements a Markdown tree holds, named as their HTML counterparts. */
export const MARKDOWN_TAGS = [
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "p",
  "ul",
  "ol",
  "li",
  "blockquote",
  "pre",
  "code",
  "hr",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "strong",
  "em",
  "s",
  "a",
  "br",
  "sup",
  "div",
] as const;

/** One of {@link MARKDOWN_TAGS}. */
export type MarkdownTag = typeof MARKDOWN_TAGS[number];

/** One element of a Markdown tree. */
export interface MarkdownElement {
  tag: MarkdownTag;
  children: MarkdownNode[];
  /** Link target (`a` only), always `http:`, `https:`, `mailto:` or a `#` footnote anchor. */
  href?: string;
  /** Anchor name (footnotes and their references). */
  id?: string;
  /** First number of an ordered list, when not 1. */
  start?: number;
  /** Column alignment of a table cell. */
  align?: "left" | "right" | "center";
  /** Language of a fenced code block (`code` inside `pre`), as written after the fence. */
  language?: string;
  /** A CSS class WriteIt's stylesheets know: `footnotes`, `footnote-ref`, `footnote-backref`, `image`. */
  class?: string;
}

/** A node: an element or text. */
export type MarkdownNode = MarkdownElement | string;

/** Options of `markdownTree`. */
export interface MarkdownTreeOptions {
  /** Prefix of footnote anchors, so several documents on one page keep distinct ids. */
  documentId?: string;
}

const SAFE_URL = /^(https?:|mailto:)/i;

/** The one configured parser; also renders HTML for exports (`markdownParser().render`). */
export function markdownParser(): MarkdownParser {
  parser ??= createParser();
  return parser;
}

/** A configured markdown-it instance. */
export type MarkdownParser = MarkdownIt;

let parser: MarkdownParser | undefined;

function createParser(): MarkdownParser {
  const created = createMarkdownIt({ html: false, linkify: true, typographer: false });
  created.validateLink = (url: string) => SAFE_URL.test(url.trim());
  created.use(footnote);
  created.renderer.rules.image = (tokens, index, options, env, self) => {
    const token = tokens[index];
    const alt = self.renderInlineAsText(token.children ?? [], options, env) || "image";
    const src = created.utils.escapeHtml(String(token.attrGet("src") ?? ""));
    return `<a class="image" href="${src}">${created.utils.escapeHtml(alt)}</a>`;
  };
  return created;
}

/** The tree of `markdown`; an empty text gives an empty list. */
export function markdownTree(
  markdown: string,
  options: MarkdownTreeOptions = {},
): MarkdownElement[] {
  const env = { docId: options.documentId };
  const tokens = markdownParser().parse(markdown, env);
  const root: MarkdownElement = { tag: "div", children: [] };
  build(tokens, root, env);
  return root.children.filter((node): node is MarkdownElement => typeof node !== "string");
}

/** The text of a node and everything below it, without marks; blocks end with a line break. */
export function nodeText(node: MarkdownNode): string {
  if (typeof node === "string") return node;
  if (node.tag === "br") return "\n";
  const inner = node.children.map(nodeText).join("");
  if (node.tag === "td" || node.tag === "th") return `${inner} `;
  return BLOCKS.has(node.tag) && !inner.endsWith("\n") ? `${inner}\n` : inner;
}

const BLOCKS = new Set<MarkdownTag>([
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "p",
  "li",
  "tr",
  "blockquote",
  "pre",
  "ul",
  "ol",
  "table",
  "thead",
  "tbody",
]);

function build(tokens: Token[], root: MarkdownElement, env: { docId?: string }): void {
  const stack: MarkdownElement[] = [root];
  const top = () => stack[stack.length - 1];
  const rules = markdownParser().renderer.rules;
  const anchor = (token: Token) =>
    rules.footnote_anchor_name!(
      [token],
      0,
      markdownParser().options,
      env,
      markdownParser().renderer,
    );
  for (const token of tokens) {
    if (token.nesting === 1) {
      const element = openElement(token, anchor);
      if (element) {
        top().children.push(element);
        stack.push(element);
      } else {
        stack.push(top());
      }
      continue;
    }
    if (token.nesting === -1) {
      stack.pop();
      continue;
    }
    const leaf = leafNode(token, env, anchor);
    if (leaf === undefined) continue;
    if (Array.isArray(leaf)) top().children.push(...leaf);
    else top().children.push(leaf);
  }
}

/** Elements markdown-it opens and closes around their children (the rest are leaves or special). */
const OPEN_TAGS = new Set<string>(
  MARKDOWN_TAGS.filter((tag) => !["pre", "code", "hr", "a", "br", "sup", "div"].includes(tag)),
);

function openElement(token: Token, anchor: (token: Token) => string): MarkdownElement | undefined {
  switch (token.type) {
    case "link_open": {
      return { tag: "a", href: attribute(token, "href"), children: [] };
    }
    case "footnote_block_open":
      return { tag: "ol", class: "footnotes", children: [] };
    case "footnote_open":
      return { tag: "li", id: `fn${anchor(token)}`, children: [] };
    case "footnote_reference_open":
    case "footnote_reference_close":
      return undefined;
  }
  if (token.type === "ordered_list_open") {
    const start = Number(token.attrGet("start") ?? 1);
    return start === 1 ? { tag: "ol", children: [] } : { tag: "ol", start, children: [] };
  }
  if (token.tag === "th" || token.tag === "td") {
    const style = attribute(token, "style");
    const align = /text-align:(left|right|center)/.exec(style)?.[1] as MarkdownElement["align"];
    return align ? { tag: token.tag, align, children: [] } : { tag: token.tag, children: [] };
  }
  // A tight list's paragraphs are hidden: their text goes straight into the item.
  if (token.tag === "p" && token.hidden) return undefined;
  if (OPEN_TAGS.has(token.tag)) return { tag: token.tag as MarkdownTag, children: [] };
  return undefined;
}

function leafNode(
  token: Token,
  env: { docId?: string },
  anchor: (token: Token) => string,
): MarkdownNode | MarkdownNode[] | undefined {
  switch (token.type) {
    case "inline": {
      const holder: MarkdownElement = { tag: "div", children: [] };
      build(token.children ?? [], holder, env);
      return holder.children;
    }
    case "text":
      return token.content;
    case "softbreak":
      return "\n";
    case "hardbreak":
      return { tag: "br", children: [] };
    case "code_inline":
      return { tag: "code", children: [token.content] };
    case "fence":
    case "code_block": {
      const language = token.info.trim().split(/\s+/)[0];
      const code: MarkdownElement = language
        ? { tag: "code", language, children: [token.content] }
        : { tag: "code", children: [token.content] };
      return { tag: "pre", children: [code] };
    }
    case "hr":
      return { tag: "hr", children: [] };
    case "image": {
      const alt = (token.children ?? []).map((child) => child.content).join("") || "image";
      return { tag: "a", class: "image", href: attribute(token, "src"), children: [alt] };
    }
    case "footnote_ref": {
      const name = anchor(token);
      const label = `[${footnoteMeta(token).id + 1}]`;
      const refId = referenceId(token, name);
      return {
        tag: "sup",
        class: "footnote-ref",
        children: [{ tag: "a", href: `#fn${name}`, id: refId, children: [label] }],
      };
    }
    case "footnote_anchor": {
      const name = anchor(token);
      const refId = referenceId(token, name);
      return { tag: "a", class: "footnote-backref", href: `#${refId}`, children: ["↩"] };
    }
    case "html_block":
    case "html_inline":
      return token.content;
  }
  return token.content ? token.content : undefined;
}

function attribute(token: Token, name: string): string {
  return String(token.attrGet(name) ?? "");
}

function footnoteMeta(token: Token): { id: number; subId: number } {
  return token.meta as { id: number; subId: number };
}

function referenceId(token: Token, name: string): string {
  const { subId } = footnoteMeta(token);
  return subId > 0 ? `fnref${name}:${subId}` : `fnref${name}`;
}
