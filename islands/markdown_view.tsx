/**
 * Markdown as a writer reads it, drawn as Preact elements from the shared
 * Markdown tree (engine/text/markdown_tree.ts, markdown-it), never from HTML
 * strings: model output is untrusted, so raw HTML in it stays text, and only
 * http(s) and mailto links become links (opened in a new tab, without a
 * referrer). Tables, footnotes, nested lists, reference links and
 * strikethrough are drawn as well.
 *
 * @example
 * ```tsx
 * <MarkdownView text={"# Title\n\nSome *text*."} />
 * ```
 */
import type { JSX } from "preact";
import {
  type MarkdownElement,
  type MarkdownNode,
  markdownTree,
} from "../engine/text/markdown_tree.ts";

export { wordCount } from "../engine/text/word_count.ts";

/** Props of `MarkdownView`. */
export interface MarkdownViewProps {
  text: string;
  /** Prefix of footnote anchors, when several documents share a page. */
  documentId?: string;
}

/** The rendered document. */
export function MarkdownView({ text, documentId }: MarkdownViewProps): JSX.Element {
  return <div class="markdown">{markdownTree(text, { documentId }).map(draw)}</div>;
}

/** One paragraph's inline marks (bold, italic, code, links), without the paragraph around them. */
export function inline(text: string): Array<JSX.Element | string> {
  const [first] = markdownTree(text);
  return first?.tag === "p" ? first.children.map(draw) : [text];
}

function draw(node: MarkdownNode, key: number): JSX.Element | string {
  if (typeof node === "string") return node;
  const children = node.children.map(draw);
  switch (node.tag) {
    case "a":
      return link(node, key, children);
    case "h1":
    case "h2":
    case "h3":
    case "h4":
    case "h5":
    case "h6": {
      // The page has its own h1 and h2; a document's headings sit below them.
      const Tag = `h${Math.min(6, Number(node.tag[1]) + 2)}` as "h3";
      return <Tag key={key}>{children}</Tag>;
    }
    case "ol":
      return (
        <ol key={key} start={node.start} class={node.class}>
          {children}
        </ol>
      );
    case "li":
      return <li key={key} id={node.id}>{children}</li>;
    case "th":
    case "td": {
      const Tag = node.tag;
      return (
        <Tag key={key} style={node.align ? { textAlign: node.align } : undefined}>{children}</Tag>
      );
    }
    case "table":
      return (
        <div key={key} class="table-scroll">
          <table>{children}</table>
        </div>
      );
    case "code":
      return (
        <code key={key} class={node.language ? `language-${node.language}` : undefined}>
          {children}
        </code>
      );
    case "sup":
      return <sup key={key} class={node.class}>{children}</sup>;
    case "hr":
      return <hr key={key} />;
    case "br":
      return <br key={key} />;
    default: {
      const Tag = node.tag;
      return <Tag key={key}>{children}</Tag>;
    }
  }
}

function link(node: MarkdownElement, key: number, children: Array<JSX.Element | string>) {
  const href = node.href ?? "";
  if (href.startsWith("#")) {
    return <a key={key} href={href} id={node.id} class={node.class}>{children}</a>;
  }
  return (
    <a
      key={key}
      href={href}
      class={node.class}
      rel="noopener noreferrer nofollow"
      target="_blank"
    >
      {children}
    </a>
  );
}
