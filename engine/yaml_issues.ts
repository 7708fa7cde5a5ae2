/**
 * Collects the ValidationIssues found in one YAML document, each placed at
 * its key or value through {@linkcode YamlSource}, and turns the `yaml`
 * package's own parse errors into short, located issues. Shared by the
 * pipeline loader and the style primer loader.
 */
import type { IssueCode, ValidationIssue } from "./errors.ts";
import {
  dottedPath,
  type SourcePosition,
  type YamlPath,
  type YamlSource,
} from "./yaml_locations.ts";

/** Where an issue points: the key holding the value, the value itself, or an exact position. */
export type IssueAnchor = "key" | "value" | SourcePosition;

/** Options for one reported issue. */
export interface IssueOptions {
  /** Default "value". */
  at?: IssueAnchor;
  suggestion?: string;
  code?: IssueCode;
}

/** The issues of one document, in the order found; {@linkcode IssueList.sorted} orders them by position. */
export class IssueList {
  readonly issues: ValidationIssue[] = [];
  readonly #source: YamlSource;
  readonly #file?: string;

  constructor(source: YamlSource, file?: string) {
    this.#source = source;
    this.#file = file;
  }

  /** Records an error at `path`. */
  error(path: YamlPath, message: string, options: IssueOptions = {}): void {
    this.add("error", path, message, options);
  }

  /** Records a warning at `path`. */
  warning(path: YamlPath, message: string, options: IssueOptions = {}): void {
    this.add("warning", path, message, options);
  }

  /** Records an issue that is already complete except for the file. */
  push(issue: ValidationIssue): void {
    this.issues.push(this.#file === undefined ? issue : { ...issue, file: this.#file });
  }

  /** True when any error (not warning) was recorded. */
  hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === "error");
  }

  /** Issues ordered by line and column (unlocated last), ties in the order found. */
  sorted(): ValidationIssue[] {
    return this.issues
      .map((issue, index) => ({ issue, index }))
      .sort((a, b) =>
        (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) ||
        (a.issue.column ?? Infinity) - (b.issue.column ?? Infinity) || a.index - b.index
      )
      .map(({ issue }) => issue);
  }

  private add(
    severity: ValidationIssue["severity"],
    path: YamlPath,
    message: string,
    options: IssueOptions,
  ): void {
    const at = options.at ?? "value";
    const position = at === "key"
      ? this.#source.keyPosition(path)
      : at === "value"
      ? this.#source.valuePosition(path)
      : at;
    const issue: ValidationIssue = { severity, message, path: dottedPath(path) };
    if (this.#file !== undefined) issue.file = this.#file;
    if (position) {
      issue.line = position.line;
      issue.column = position.column;
    }
    if (options.suggestion !== undefined) issue.suggestion = options.suggestion;
    if (options.code !== undefined) issue.code = options.code;
    this.issues.push(issue);
  }
}

/** Error codes after which the document is still worth checking further. */
const RECOVERABLE_CODES = new Set(["DUPLICATE_KEY"]);

/**
 * The parser's errors and warnings as issues. Returns `fatal: true` when the
 * document is too broken to check further (anything but duplicate keys).
 */
export function yamlSyntaxIssues(source: YamlSource, list: IssueList): { fatal: boolean } {
  let fatal = false;
  const report = (
    severity: "error" | "warning",
    error: { code: string; message: string; pos: [number, number] },
  ) => {
    const position = source.position(error.pos[0]);
    const path = source.pathAt(error.pos[0]);
    let message: string;
    if (error.code === "DUPLICATE_KEY") {
      const key = path.at(-1);
      message = path.length === 2 && path[0] === "steps"
        ? `Duplicate step id "${key}": each step needs its own id`
        : path.length === 2 && path[0] === "inputs"
        ? `Duplicate input "${key}": each input needs its own name`
        : `Duplicate key "${key ?? ""}": each key may appear only once in a mapping`;
    } else if (error.code === "TAB_AS_INDENT") {
      message = "Tabs are not allowed for indentation in YAML: indent with spaces";
    } else {
      message = `Invalid YAML: ${firstLine(error.message)}`;
    }
    if (severity === "error" && !RECOVERABLE_CODES.has(error.code)) fatal = true;
    list.push({
      severity,
      message,
      path: dottedPath(path),
      line: position.line,
      column: position.column,
      code: error.code === "DUPLICATE_KEY" ? "duplicate_key" : "yaml_syntax",
    });
  };
  for (const error of source.document.errors) report("error", error);
  for (const warning of source.document.warnings) report("warning", warning);
  return { fatal };
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/\.$/, "");
}
