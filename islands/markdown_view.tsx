/**
 * Markdown as a writer reads it, drawn as Preact elements, never as HTML
 * strings: model output is untrusted, so raw HTML in it stays text and only
 * http(s) and mailto links become links. Covers what articles use: headings,
 * paragraphs, lists (ordered and not), block quotes, fenced code, rules, and
 * inline bold, italic, code and links. Anything else shows as written.
 *
 * @example
 * ```tsx
 * <MarkdownView text={"# Title\n\nSome *text*."} />
 * ```
 */
import type { JSX } from "preact";

type Inline = string | JSX.Element;

const INLINE =
  /(\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\n]+\*|_[^_\n]+_|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\))/g;
const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** Inline marks of one line of text. */
export function inline(text: string): Inline[] {
  const parts: Inline[] = [];
  let last = 0;
  let key = 0;
  for (const match of text.matchAll(INLINE)) {
    const token = match[0];
    if (match.index > last) parts.push(text.slice(last, match.index));
    last = match.index + token.length;
    if (token.startsWith("**") || token.startsWith("__")) {
      parts.push(<strong key={key++}>{token.slice(2, -2)}</strong>);
    } else if (token.startsWith("`")) {
      parts.push(<code key={key++}>{token.slice(1, -1)}</code>);
    } else if (token.startsWith("[")) {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      parts.push(
        SAFE_LINK.test(href)
          ? (
            <a key={key++} href={href} rel="noopener noreferrer nofollow" target="_blank">
              {label}
            </a>
          )
          : token,
      );
    } else {
      parts.push(<em key={key++}>{token.slice(1, -1)}</em>);
    }
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** One block of a document. */
type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; lines: string[] }
  | { kind: "list"; ordered: boolean; items: string[] }
  | { kind: "quote"; lines: string[] }
  | { kind: "code"; text: string }
  | { kind: "rule" };

/** The blocks of `text`, in order. */
export function blocks(text: string): Block[] {
  const result: Block[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line.trim() === "") {
      index++;
      continue;
    }
    const fence = /^\s{0,3}(```|~~~)/.exec(line);
    if (fence) {
      const body: string[] = [];
      index++;
      while (index < lines.length && !lines[index].trimStart().startsWith(fence[1])) {
        body.push(lines[index++]);
      }
      index++;
      result.push({ kind: "code", text: body.join("\n") });
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      result.push({ kind: "heading", level: heading[1].length, text: heading[2] });
      index++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      result.push({ kind: "rule" });
      index++;
      continue;
    }
    const item = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1]);
      const items: string[] = [];
      while (index < lines.length) {
        const next = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(lines[index]);
        if (next && /\d/.test(next[1]) === ordered) {
          items.push(next[2]);
        } else if (items.length > 0 && /^\s{2,}\S/.test(lines[index])) {
          items[items.length - 1] += ` ${lines[index].trim()}`;
        } else break;
        index++;
      }
      result.push({ kind: "list", ordered, items });
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && /^\s{0,3}>/.test(lines[index])) {
        quoted.push(lines[index++].replace(/^\s{0,3}>\s?/, ""));
      }
      result.push({ kind: "quote", lines: quoted });
      continue;
    }
    const paragraph: string[] = [];
    while (
      index < lines.length && lines[index].trim() !== "" &&
      !/^\s{0,3}(#{1,6}\s|```|~~~|>|[-*+]\s|\d{1,9}[.)]\s)/.test(lines[index])
    ) {
      paragraph.push(lines[index++].trim());
    }
    if (paragraph.length === 0) paragraph.push(lines[index++].trim());
    result.push({ kind: "paragraph", lines: paragraph });
  }
  return result;
}

/** Words in `text`, as a writer counts them. */
export function wordCount(text: string): number {
  const words = text.replace(/[#*_`>\-]+/g, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu);
  return words?.length ?? 0;
}

/** The rendered document. */
export function MarkdownView({ text }: { text: string }): JSX.Element {
  return (
    <div class="markdown">
      {blocks(text).map((block, index) => {
        switch (block.kind) {
          case "heading": {
            const Tag = `h${Math.min(6, block.level + 2)}` as "h3";
            return <Tag key={index}>{inline(block.text)}</Tag>;
          }
          case "paragraph":
            return <p key={index}>{inline(block.lines.join(" "))}</p>;
          case "list": {
            const items = block.items.map((item, at) => <li key={at}>{inline(item)}</li>);
            return block.ordered ? <ol key={index}>{items}</ol> : <ul key={index}>{items}</ul>;
          }
          case "quote":
            return <blockquote key={index}>{inline(block.lines.join(" "))}</blockquote>;
          case "code":
            return <pre key={index}><code>{block.text}</code></pre>;
          case "rule":
            return <hr key={index} />;
        }
      })}
    </div>
  );
}
