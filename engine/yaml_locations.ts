/**
 * Where things are in a YAML source: the line and column of a value or a key
 * given its path, the path at an offset (for the parser's own errors), and
 * the file position of a character inside a scalar, so that a bad template
 * variable in a `prompt_template: |` block is reported on its own line.
 * Built on the `yaml` package's node ranges and its `LineCounter`.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";

/** A path inside a document: map keys and sequence indexes. */
export type YamlPath = ReadonlyArray<string | number>;

/** A 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** `["steps", "outline", "prompt_template"]` → `steps.outline.prompt_template`; indexes as `[0]`. */
export function dottedPath(path: YamlPath): string {
  let result = "";
  for (const segment of path) {
    if (typeof segment === "number") result += `[${segment}]`;
    else result += result === "" ? segment : `.${segment}`;
  }
  return result;
}

/**
 * `text` with every lone carriage return (old Mac line endings) read as a
 * line feed, as YAML itself defines line breaks; CRLF stays. The length does
 * not change, so offsets still point at the same characters.
 */
export function withLineFeeds(text: string): string {
  return text.includes("\r") ? text.replace(/\r(?!\n)/g, "\n") : text;
}

/** A parsed YAML text that can answer "where is this?". */
export class YamlSource {
  readonly text: string;
  readonly document: Document.Parsed;
  readonly #lineCounter: LineCounter;

  constructor(text: string) {
    this.text = withLineFeeds(text);
    this.#lineCounter = new LineCounter();
    this.document = parseDocument(this.text, {
      lineCounter: this.#lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
    });
  }

  /** Line and column of a character offset. */
  position(offset: number): SourcePosition {
    const { line, col } = this.#lineCounter.linePos(
      Math.max(0, Math.min(offset, this.text.length)),
    );
    return { line, column: col };
  }

  /** The node at `path`, if there is one. */
  node(path: YamlPath): Node | undefined {
    if (path.length === 0) return (this.document.contents as Node | null) ?? undefined;
    const found = this.document.getIn(path as (string | number)[], true);
    return found && typeof found === "object" && "range" in found ? found as Node : undefined;
  }

  /** Start of the value at `path`, or of its closest existing ancestor. */
  valuePosition(path: YamlPath): SourcePosition | undefined {
    for (let length = path.length; length >= 0; length--) {
      const node = this.node(path.slice(0, length));
      if (node?.range) return this.position(node.range[0]);
    }
    return undefined;
  }

  /** Start of the key that holds `path`'s value (the item itself for sequences), else of an ancestor. */
  keyPosition(path: YamlPath): SourcePosition | undefined {
    for (let length = path.length; length > 0; length--) {
      const parent = this.node(path.slice(0, length - 1));
      const last = path[length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((item) =>
          isScalar(item.key) && String(item.key.value) === String(last)
        );
        const key = pair?.key as Node | undefined;
        if (key?.range) return this.position(key.range[0]);
      } else if (isSeq(parent) && typeof last === "number") {
        const item = parent.items[last] as Node | undefined;
        if (item?.range) return this.position(item.range[0]);
      }
    }
    return this.valuePosition([]);
  }

  /** The path of the deepest key or value that contains `offset` (empty at top level). */
  pathAt(offset: number): Array<string | number> {
    const path: Array<string | number> = [];
    let node = this.document.contents as Node | null;
    while (node) {
      let next: Node | null = null;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const key = pair.key as Node | null;
          const value = pair.value as Node | null;
          const name = isScalar(key) ? String(key.value) : undefined;
          if (name === undefined) continue;
          if (key?.range && offset >= key.range[0] && offset < key.range[2]) return [...path, name];
          if (value?.range && offset >= value.range[0] && offset < value.range[2]) {
            path.push(name);
            next = value;
            break;
          }
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => {
          const child = item as Node | null;
          if (!next && child?.range && offset >= child.range[0] && offset < child.range[2]) {
            path.push(index);
            next = child;
          }
        });
      }
      node = next;
    }
    return path;
  }

  /**
   * File position of the character at `row`/`column` (1-based) inside the
   * string scalar at `path`. Exact for literal blocks (`|`) and for one-line
   * scalars written without escapes; otherwise the scalar's start.
   */
  positionInScalar(path: YamlPath, row: number, column: number): SourcePosition | undefined {
    const node = this.node(path);
    if (!isScalar(node) || !node.range || typeof node.value !== "string") {
      return this.valuePosition(path);
    }
    const [start, end] = node.range;
    const value = node.value;
    const startPosition = this.position(start);
    if (node.type === "BLOCK_LITERAL") {
      const indent = blockIndent(this.text.slice(start, end));
      if (indent === undefined) return startPosition;
      return { line: startPosition.line + row, column: indent + column };
    }
    if (row !== 1 || value.includes("\n")) return startPosition;
    if (node.type === "PLAIN" && this.text.slice(start, start + value.length) === value) {
      return { line: startPosition.line, column: startPosition.column + column - 1 };
    }
    if (
      (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") &&
      this.text.slice(start + 1, start + 1 + value.length) === value
    ) {
      return { line: startPosition.line, column: startPosition.column + column };
    }
    return startPosition;
  }
}

/** Indentation of a literal block's content: the header's explicit indicator or the first non-blank line. */
function blockIndent(source: string): number | undefined {
  const lines = source.split("\n");
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    return line.length - line.trimStart().length;
  }
  return undefined;
}
