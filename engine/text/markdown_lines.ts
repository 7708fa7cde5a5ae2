/**
 * Markdown for a terminal: the shared Markdown tree (markdown_tree.ts) laid
 * out as lines of styled segments, wrapped to a width, with list bullets and
 * numbers, quote bars, indented code, drawn tables and footnotes at the end.
 * The output names styles (bold, italic, code, heading, link, quote, dim),
 * not escape codes, so the line mode turns it into ANSI and the full-screen
 * UI into its own text elements. Control characters in the text (a model
 * that writes `ESC [ 2 J`) are dropped: nothing in a text can move the
 * cursor, clear the screen or change the terminal's title.
 *
 * @example
 * ```ts
 * const lines = markdownLines("# Title\n\nSome **bold** words.", { width: 40 });
 * lines.map(lineText); // ["Title", "", "Some bold words."]
 * ```
 */
import {
  type MarkdownElement,
  type MarkdownNode,
  markdownTree,
  nodeText,
} from "./markdown_tree.ts";

/** A run of text with one style. */
export interface StyledSegment {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  strike?: boolean;
  /** Heading level 1–6. */
  heading?: number;
  /** Target of a link. */
  link?: string;
  quote?: boolean;
  /** Secondary text: link targets, bullets, rules, table borders. */
  dim?: boolean;
}

/** One terminal line. */
export type StyledLine = StyledSegment[];

/** Options of `markdownLines`. */
export interface MarkdownLinesOptions {
  /** Columns to wrap at (default 80, at least 20). */
  width?: number;
}

type Style = Omit<StyledSegment, "text">;

/** The lines of `markdown`, wrapped to `width`, blocks separated by one empty line. */
export function markdownLines(markdown: string, options: MarkdownLinesOptions = {}): StyledLine[] {
  const width = Math.max(20, options.width ?? 80);
  const lines: StyledLine[] = [];
  for (const block of markdownTree(markdown)) {
    if (lines.length > 0) lines.push([]);
    lines.push(...blockLines(block, width));
  }
  return lines;
}

/** The plain text of a line. */
export function lineText(line: StyledLine): string {
  return line.map((segment) => segment.text).join("");
}

/** Columns `text` takes in a terminal (wide East Asian characters and emoji take two). */
export function displayWidth(text: string): number {
  let columns = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 32 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code < 0x370)) continue;
    columns += WIDE.test(character) ? 2 : 1;
  }
  return columns;
}

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clean(text: string): string {
  return text.replace(CONTROL, "");
}

function blockLines(block: MarkdownElement, width: number): StyledLine[] {
  if (block.class === "footnotes") return footnoteLines(block, width);
  switch (block.tag) {
    case "h1":
    case "h2":
    case "h3":
    case "h4":
    case "h5":
    case "h6":
      return wrap(
        inlineSegments(block.children, { bold: true, heading: Number(block.tag[1]) }),
        width,
      );
    case "ul":
    case "ol":
      return listLines(block, width);
    case "blockquote":
      return prefixed(childBlocks(block, width - 2), [{ text: "│ ", quote: true, dim: true }], {
        quote: true,
      });
    case "pre":
      return nodeText(block).replace(/\n+$/, "").split("\n").map((line) => [
        { text: `  ${clean(line.replace(/\t/g, "  "))}`, code: true },
      ]);
    case "hr":
      return [[{ text: "─".repeat(Math.min(width, 40)), dim: true }]];
    case "table":
      return tableLines(block, width);
    default:
      return block.children.some((child) => typeof child !== "string" && isBlock(child))
        ? childBlocks(block, width)
        : wrap(inlineSegments(block.children, {}), width);
  }
}

const BLOCK_TAGS = new Set(["p", "ul", "ol", "blockquote", "pre", "hr", "table"]);

function isBlock(node: MarkdownElement): boolean {
  return BLOCK_TAGS.has(node.tag) || /^h[1-6]$/.test(node.tag);
}

/** The lines of an element holding blocks (a quote, a list item), one empty line between blocks. */
function childBlocks(element: MarkdownElement, width: number): StyledLine[] {
  const lines: StyledLine[] = [];
  let inlines: MarkdownNode[] = [];
  const flush = () => {
    if (inlines.length === 0) return;
    lines.push(...wrap(inlineSegments(inlines, {}), width));
    inlines = [];
  };
  for (const child of element.children) {
    if (typeof child !== "string" && isBlock(child)) {
      flush();
      const nested = blockLines(child, width);
      // Paragraphs of a loose item are separated; a nested list follows its text directly.
      if (lines.length > 0 && child.tag !== "ul" && child.tag !== "ol") lines.push([]);
      lines.push(...nested);
    } else {
      inlines.push(child);
    }
  }
  flush();
  return lines;
}

function listLines(list: MarkdownElement, width: number): StyledLine[] {
  const lines: StyledLine[] = [];
  let number = list.start ?? 1;
  for (const item of list.children) {
    if (typeof item === "string") continue;
    const marker = list.tag === "ol" ? `${number++}. ` : "• ";
    const body = childBlocks(item, width - marker.length);
    const indent = " ".repeat(marker.length);
    body.forEach((line, index) => {
      const lead = index === 0 ? { text: marker, dim: true } : { text: indent };
      lines.push(line.length === 0 ? [] : [lead, ...line]);
    });
    if (body.length === 0) lines.push([{ text: marker, dim: true }]);
  }
  return lines;
}

function footnoteLines(block: MarkdownElement, width: number): StyledLine[] {
  const lines: StyledLine[] = [[{ text: "─".repeat(Math.min(width, 20)), dim: true }]];
  let number = 1;
  for (const item of block.children) {
    if (typeof item === "string") continue;
    const marker = `[${number++}] `;
    const body = childBlocks(withoutBackrefs(item), width - marker.length);
    body.forEach((line, index) => {
      lines.push([{ text: index === 0 ? marker : " ".repeat(marker.length), dim: true }, ...line]);
    });
  }
  return lines;
}

function withoutBackrefs(element: MarkdownElement): MarkdownElement {
  return {
    ...element,
    children: element.children
      .filter((child) => typeof child === "string" || child.class !== "footnote-backref")
      .map((child) => typeof child === "string" ? child : withoutBackrefs(child)),
  };
}

function prefixed(lines: StyledLine[], prefix: StyledLine, style: Style): StyledLine[] {
  return lines.map((line) => [...prefix, ...line.map((segment) => ({ ...style, ...segment }))]);
}

/** Inline nodes as styled segments, soft breaks as spaces and hard breaks as "\n". */
function inlineSegments(nodes: MarkdownNode[], style: Style): StyledSegment[] {
  const segments: StyledSegment[] = [];
  for (const node of nodes) {
    if (typeof node === "string") {
      segments.push({ ...style, text: clean(node.replace(/\n/g, " ")) });
      continue;
    }
    switch (node.tag) {
      case "strong":
        segments.push(...inlineSegments(node.children, { ...style, bold: true }));
        break;
      case "em":
        segments.push(...inlineSegments(node.children, { ...style, italic: true }));
        break;
      case "s":
        segments.push(...inlineSegments(node.children, { ...style, strike: true }));
        break;
      case "code":
        segments.push({ ...style, code: true, text: clean(nodeText(node)) });
        break;
      case "br":
        segments.push({ ...style, text: "\n" });
        break;
      case "sup":
        segments.push({ ...style, dim: true, text: clean(nodeText(node)) });
        break;
      case "a": {
        const label = clean(nodeText(node));
        const href = clean(node.href ?? "");
        segments.push(...inlineSegments(node.children, { ...style, link: href }));
        const plain = href.replace(/^mailto:/, "");
        if (href && !href.startsWith("#") && plain !== label) {
          segments.push({ ...style, dim: true, text: ` (${href})` });
        }
        break;
      }
      default:
        segments.push(...inlineSegments(node.children, style));
    }
  }
  return segments.filter((segment) => segment.text !== "");
}

/** Word-wraps segments to `width` columns; words longer than a line are cut. */
export function wrap(segments: StyledSegment[], width: number): StyledLine[] {
  const lines: StyledLine[] = [];
  let line: StyledLine = [];
  let used = 0;
  const breakLine = () => {
    const last = line[line.length - 1];
    if (last && /^\s+$/.test(last.text)) line.pop();
    lines.push(line);
    line = [];
    used = 0;
  };
  for (const segment of segments) {
    const { text: _, ...style } = segment;
    for (const piece of segment.text.split(/(\n|\s+)/)) {
      if (piece === "") continue;
      if (piece === "\n") {
        breakLine();
        continue;
      }
      if (/^\s+$/.test(piece)) {
        if (used > 0) {
          line.push({ ...style, text: " " });
          used += 1;
        }
        continue;
      }
      let word = piece;
      while (displayWidth(word) > width) {
        if (used > 0) breakLine();
        const cut = cutToWidth(word, width);
        line.push({ ...style, text: cut });
        breakLine();
        word = word.slice(cut.length);
      }
      const columns = displayWidth(word);
      if (used + columns > width && used > 0) breakLine();
      if (word) {
        line.push({ ...style, text: word });
        used += columns;
      }
    }
  }
  if (line.length > 0 || lines.length === 0) breakLine();
  return lines.map(merge);
}

function cutToWidth(text: string, width: number): string {
  let columns = 0;
  let cut = "";
  for (const character of text) {
    const next = displayWidth(character);
    if (columns + next > width) break;
    cut += character;
    columns += next;
  }
  return cut || [...text][0];
}

/** Joins neighbouring segments of the same style. */
function merge(line: StyledLine): StyledLine {
  const merged: StyledLine = [];
  for (const segment of line) {
    const last = merged[merged.length - 1];
    if (last && sameStyle(last, segment)) last.text += segment.text;
    else merged.push({ ...segment });
  }
  return merged;
}

function sameStyle(a: StyledSegment, b: StyledSegment): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete("text");
  for (const key of keys) {
    if (a[key as keyof Style] !== b[key as keyof Style]) return false;
  }
  return true;
}

function tableLines(table: MarkdownElement, width: number): StyledLine[] {
  const rows: Array<{ header: boolean; cells: MarkdownElement[] }> = [];
  for (const section of table.children) {
    if (typeof section === "string") continue;
    for (const row of section.children) {
      if (typeof row === "string") continue;
      const cells = row.children.filter((cell): cell is MarkdownElement =>
        typeof cell !== "string"
      );
      rows.push({ header: section.tag === "thead", cells });
    }
  }
  const texts = rows.map((row) => row.cells.map((cell) => clean(nodeText(cell)).trim()));
  const columns = Math.max(0, ...texts.map((row) => row.length));
  const widths = Array.from(
    { length: columns },
    (_, column) => Math.max(1, ...texts.map((row) => displayWidth(row[column] ?? ""))),
  );
  const total = widths.reduce((sum, each) => sum + each, 0) + 3 * columns + 1;
  if (total > width) return narrowTable(rows, texts, width);
  const border = (left: string, middle: string, right: string) => [{
    dim: true,
    text: left + widths.map((each) => "─".repeat(each + 2)).join(middle) + right,
  }];
  const lines: StyledLine[] = [border("┌", "┬", "┐")];
  rows.forEach((row, index) => {
    const line: StyledLine = [{ text: "│", dim: true }];
    widths.forEach((columnWidth, column) => {
      const cell = row.cells[column];
      const text = texts[index][column] ?? "";
      const gap = columnWidth - displayWidth(text);
      const before = cell?.align === "right" ? gap : cell?.align === "center" ? gap >> 1 : 0;
      line.push({ text: ` ${" ".repeat(before)}` });
      line.push(...inlineSegments(cell?.children ?? [], row.header ? { bold: true } : {}));
      line.push({ text: `${" ".repeat(gap - before)} ` }, { text: "│", dim: true });
    });
    lines.push(merge(line));
    if (row.header) lines.push(border("├", "┼", "┤"));
  });
  lines.push(border("└", "┴", "┘"));
  return lines;
}

/** A table too wide for the terminal: each row as "header: value" lines. */
function narrowTable(
  rows: Array<{ header: boolean; cells: MarkdownElement[] }>,
  texts: string[][],
  width: number,
): StyledLine[] {
  const headers = rows.find((row) => row.header) ? texts[0] : [];
  const lines: StyledLine[] = [];
  rows.forEach((row, index) => {
    if (row.header) return;
    if (lines.length > 0) lines.push([]);
    row.cells.forEach((cell, column) => {
      const label = headers[column] ? `${headers[column]}: ` : "";
      lines.push(
        ...wrap([{ text: label, bold: true }, ...inlineSegments(cell.children, {})], width),
      );
    });
    if (row.cells.length === 0) lines.push([{ text: texts[index].join(" ") }]);
  });
  return lines;
}
