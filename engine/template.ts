/**
 * Prompt templates: LiquidJS configured for untrusted text. Templates cannot
 * run code, read files (`include`, `render` and `layout` are rejected when a
 * template is parsed), reach inherited properties, or use unknown filters or
 * variables. Values are inserted literally and never HTML-escaped: a draft
 * that contains `{{ x }}` or `{% raw %}` comes out exactly as written,
 * because Liquid does not parse its output again.
 *
 * @example
 * ```ts
 * renderTemplate("Write about {{ inputs.topic | upcase }}", context); // "Write about CRDTS"
 * templateVariables("{{ steps.plan }}")[0].path; // "steps.plan"
 * ```
 */
import {
  Context,
  Drop,
  Liquid,
  LiquidError,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  toValue,
  toValueSync,
  type Variable,
} from "liquidjs";
import { Parser, Token, type TopLevelToken as LiquidToken } from "liquidjs";
import { ValidationError } from "./errors.ts";
import type { StepTemplateValues, TemplateContext } from "./template_context.ts";

// LiquidJS finds a token's line and column by scanning its template from the
// start, once per variable, which makes validating a long template quadratic
// (20,000 references took 7 s). One table of line starts per template, found
// by binary search, makes each lookup logarithmic. Same answers: 1-based row,
// and the column counts characters since the last "\n".
// The parser also takes tokens off the front of an array with `shift()`,
// which V8 turns into a copy of the array once it is large: quadratic again.
// Tags read the remaining tokens only through `shift()` and `length`, so a
// queue with a moving head gives the same tokens in constant time each.
const parseTokens = Parser.prototype.parseTokens;
Parser.prototype.parseTokens = function parseTokensInLinearTime(this: Parser, tokens) {
  return parseTokens.call(this, Array.isArray(tokens) ? tokenQueue(tokens) : tokens);
};

function tokenQueue(items: LiquidToken[]): LiquidToken[] {
  let head = 0;
  const queue = {
    shift: () => (head < items.length ? items[head++] : undefined),
    get length() {
      return items.length - head;
    },
  };
  return queue as unknown as LiquidToken[];
}

let lineStartsOf: { input: string; starts: number[] } | undefined;
Token.prototype.getPosition = function getPosition(this: Token): [number, number] {
  if (lineStartsOf?.input !== this.input) {
    const starts = [0];
    for (
      let index = this.input.indexOf("\n");
      index !== -1;
      index = this.input.indexOf("\n", index + 1)
    ) {
      starts.push(index + 1);
    }
    lineStartsOf = { input: this.input, starts };
  }
  const { starts } = lineStartsOf;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= this.begin) low = middle;
    else high = middle - 1;
  }
  return [low + 1, this.begin - starts[low] + 1];
};

/** Tags that would read other templates from somewhere: rejected at parse time. */
export const FORBIDDEN_TAGS = ["include", "render", "layout"] as const;

/** Property names that reach the JavaScript object model rather than data. */
const UNSAFE_SEGMENTS = new Set([
  "constructor",
  "prototype",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

class ForbiddenTagError extends Error {
  readonly tag: string;
  constructor(tag: string) {
    super(
      `The "${tag}" tag is not allowed: templates cannot read other files, so put the text in the template or pass it as an input`,
    );
    this.tag = tag;
  }
}

class ForbiddenTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new ForbiddenTagError(token.name);
  }
  render(): void {}
}

function createLiquid(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    dynamicPartials: false,
    jekyllInclude: false,
    // An in-memory file system with no files: nothing can reach the disk.
    templates: {},
    cache: false,
    outputEscape: undefined,
    parseLimit: 1_000_000,
    renderLimit: 5_000,
    memoryLimit: 64_000_000,
  });
  for (const name of FORBIDDEN_TAGS) liquid.registerTag(name, ForbiddenTag);
  // The names people reach for first, as aliases of Liquid's own filters.
  for (const [alias, original] of Object.entries(FILTER_ALIASES)) {
    liquid.registerFilter(alias, liquid.filters[original]);
  }
  return liquid;
}

/** Common filter names (`upper`, `lower`, `length`, `trim`) as aliases of Liquid's own. */
const FILTER_ALIASES: Record<string, string> = {
  upper: "upcase",
  lower: "downcase",
  length: "size",
  trim: "strip",
};

const liquid = createLiquid();

/**
 * For analysis only (never renders): accepts unknown filters and file tags,
 * so that a template with such a problem still has its variables checked.
 */
const lenientLiquid = new Liquid({
  strictFilters: false,
  ownPropertyOnly: true,
  relativeReference: false,
  templates: {},
  cache: false,
});

/** Names of every filter a template may use. */
export function templateFilterNames(): string[] {
  return Object.keys(liquid.filters).sort();
}

/** A syntax problem in a template, positioned inside the template text (1-based). */
export interface TemplateSyntaxIssue {
  message: string;
  line: number;
  column: number;
  /** The unknown filter's name, when that is the problem. */
  unknownFilter?: string;
  /** The forbidden tag's name (`include`, `render`, `layout`), when that is the problem. */
  forbiddenTag?: string;
}

/** One variable a template reads, with its position inside the template (1-based). */
export interface TemplateVariableUse {
  /** Dotted path as written, dynamic parts as `[…]`: `steps.angles.responses[…]`. */
  path: string;
  /** The literal segments; `null` for a dynamic segment such as `[forloop.index0]`. */
  segments: Array<string | number | null>;
  line: number;
  column: number;
}

/** The result of parsing: either the parsed template or its first syntax problem. */
type ParseOutcome = { template: Template[] } | { issue: TemplateSyntaxIssue };

function parse(template: string): ParseOutcome {
  try {
    return { template: liquid.parse(template) };
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    const [line, column] = error.token?.getPosition?.() ?? [1, 1];
    const original = (error as LiquidError & { originalError?: Error }).originalError;
    const raw = original?.message ?? error.message.replace(/, line:\d+, col:\d+$/, "");
    if (original instanceof ForbiddenTagError) {
      return { issue: { message: original.message, line, column, forbiddenTag: original.tag } };
    }
    const filter = /^undefined filter: (.+)$/.exec(raw);
    if (filter) {
      return {
        issue: { message: `Unknown filter "${filter[1]}"`, line, column, unknownFilter: filter[1] },
      };
    }
    return { issue: { message: sentence(raw), line, column } };
  }
}

function sentence(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}

/** The first syntax problem in `template` (bad tags, unknown filters, forbidden tags), if any. */
export function templateSyntaxIssue(template: string): TemplateSyntaxIssue | undefined {
  const outcome = parse(template);
  return "issue" in outcome ? outcome.issue : undefined;
}

function uses(parsed: Template[]): TemplateVariableUse[] {
  const analysis = lenientLiquid.analyzeSync(parsed, { partials: false });
  const result: TemplateVariableUse[] = [];
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) result.push(toUse(variable));
  }
  return result.sort((a, b) => a.line - b.line || a.column - b.column);
}

function toUse(variable: Variable): TemplateVariableUse {
  const segments = variable.segments.map((segment) => typeof segment === "object" ? null : segment);
  let path = "";
  for (const segment of segments) {
    if (segment === null) path += "[…]";
    else if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" ? segment : `.${segment}`;
  }
  return { path, segments, line: variable.location.row, column: variable.location.col };
}

/**
 * Every variable `template` reads from outside (not loop variables, `forloop`
 * or `assign`ed names), in order of appearance, including variables nested in
 * dynamic lookups. Throws ValidationError on a syntax error. With `lenient`,
 * unknown filters and file tags are tolerated and other syntax errors give [].
 */
export function templateVariables(
  template: string,
  options: { lenient?: boolean } = {},
): TemplateVariableUse[] {
  if (options.lenient) {
    try {
      return uses(lenientLiquid.parse(template));
    } catch (error) {
      if (error instanceof LiquidError) return [];
      throw error;
    }
  }
  const outcome = parse(template);
  if ("issue" in outcome) {
    const { message, line, column } = outcome.issue;
    throw new ValidationError(`Invalid template at line ${line}, column ${column}: ${message}`, [
      { severity: "error", message, path: "", line, column },
    ]);
  }
  return uses(outcome.template);
}

/** `steps.X` as Liquid sees it: its fields, and its selected response when printed alone. */
class StepDrop extends Drop {
  readonly selected_response: string;
  readonly responses: string[];
  readonly user_feedback: string;
  readonly user_input: string;
  constructor(values: StepTemplateValues) {
    super();
    this.selected_response = values.selected_response;
    this.responses = values.responses;
    this.user_feedback = values.user_feedback;
    this.user_input = values.user_input;
  }
  get length(): number {
    return this.selected_response.length;
  }
  override liquidMethodMissing(key: unknown): unknown {
    return key === "size" ? this.selected_response.length : undefined;
  }
  override valueOf(): string {
    return this.selected_response;
  }
  override toString(): string {
    return this.selected_response;
  }
}

/**
 * `style.…` as Liquid sees it. The primer is attached at run time and its
 * format is free, so a field the primer lacks is not an error: it reads as
 * nothing (falsy, prints as "", and `| default: "…"` applies).
 */
class StyleDrop extends Drop {
  readonly #data: unknown;
  constructor(data: unknown) {
    super();
    this.#data = data;
  }
  override liquidMethodMissing(key: unknown): unknown {
    const data = this.#data;
    if (typeof data !== "object" || data === null || Array.isArray(data)) return MISSING_STYLE;
    if (typeof key !== "string" || !Object.hasOwn(data, key)) {
      return key === "size" ? Object.keys(data).length : MISSING_STYLE;
    }
    return styleValue((data as Record<string, unknown>)[key]);
  }
  override valueOf(): unknown {
    return this.#data === undefined ? undefined : this;
  }
  override toString(): string {
    return "";
  }
}

const MISSING_STYLE = new StyleDrop(undefined);

function styleValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(styleValue);
  if (typeof value === "object" && value !== null) return new StyleDrop(value);
  return value;
}

const parsedCache = new Map<string, Template[]>();
const PARSED_CACHE_LIMIT = 256;

function parsedForRender(template: string): Template[] {
  const cached = parsedCache.get(template);
  if (cached) {
    parsedCache.delete(template);
    parsedCache.set(template, cached);
    return cached;
  }
  const outcome = parse(template);
  if ("issue" in outcome) {
    const { message, line, column } = outcome.issue;
    throw new ValidationError(
      `Cannot render template: ${message} at line ${line}, column ${column}`,
      [
        { severity: "error", message, path: "", line, column },
      ],
    );
  }
  for (const use of uses(outcome.template)) {
    const unsafe = use.segments.find((segment) =>
      typeof segment === "string" && UNSAFE_SEGMENTS.has(segment)
    );
    if (unsafe !== undefined) {
      throw new ValidationError(
        `Cannot render template: "${use.path}" reads "${unsafe}", which is not data, at line ${use.line}, column ${use.column}`,
      );
    }
  }
  parsedCache.set(template, outcome.template);
  if (parsedCache.size > PARSED_CACHE_LIMIT) parsedCache.delete(parsedCache.keys().next().value!);
  return outcome.template;
}

/**
 * Most characters one rendered template may hold: about 250,000 tokens, past
 * the context window of most models. Rendering stops as soon as the output
 * passes it, so a loop inside a loop cannot build a prompt of megabytes.
 */
export const MAX_RENDERED_CHARACTERS = 1_000_000;

/** The message for a template that renders past `limit` characters. */
export function renderedTooLargeMessage(limit = MAX_RENDERED_CHARACTERS): string {
  return `the template renders to more than ${
    limit.toLocaleString("en-US")
  } characters, the limit for one prompt: check its loops (a loop inside a loop multiplies its text)`;
}

/** Collects rendered output and stops the render once it passes its limit. */
class BoundedEmitter {
  buffer = "";
  constructor(readonly limit: number) {}
  write(html: unknown): void {
    this.buffer += outputText(html);
    if (this.buffer.length > this.limit) throw new Error(renderedTooLargeMessage(this.limit));
  }
}

/** A rendered value as Liquid writes it out. */
function outputText(value: unknown): string {
  const plain = toValue(value);
  if (typeof plain === "string") return plain;
  if (plain === null || plain === undefined) return "";
  if (Array.isArray(plain)) return plain.map(outputText).join("");
  return String(plain);
}

/**
 * The fewest characters `template` renders to whatever its variables hold:
 * its literal text, multiplied by the literal ranges (`(1..3000)`, with
 * literal `offset:` and `limit:`) of the loops around it. Text under a
 * condition or a loop over a variable counts as nothing. 0 when the template
 * does not parse.
 */
export function minimumRenderedLength(template: string): number {
  let parsed: Template[];
  try {
    parsed = liquid.parse(template);
  } catch {
    return 0;
  }
  return minimumLength(parsed);
}

function minimumLength(templates: readonly Template[]): number {
  let total = 0;
  for (const node of templates) {
    const shape = node as unknown as {
      str?: unknown;
      collection?: unknown;
      hash?: { hash?: Record<string, unknown> };
      args?: unknown;
      templates?: Template[];
    };
    if (node.constructor.name === "HTML" && typeof shape.str === "string") {
      total += shape.str.length;
    } else if (shape.templates && shape.collection) {
      const times = literalRangeLength(shape.collection, shape.hash?.hash ?? {});
      if (times > 0) total += times * minimumLength(shape.templates);
    }
    if (total > Number.MAX_SAFE_INTEGER / 2) return total;
  }
  return total;
}

function literalNumber(token: unknown): number | undefined {
  const content = (token as { content?: unknown } | undefined)?.content;
  return typeof content === "number" && Number.isFinite(content) ? content : undefined;
}

function literalRangeLength(collection: unknown, hash: Record<string, unknown>): number {
  const range = collection as { lhs?: unknown; rhs?: unknown };
  const low = literalNumber(range.lhs);
  const high = literalNumber(range.rhs);
  if (low === undefined || high === undefined) return 0;
  let count = Math.max(0, Math.floor(high) - Math.floor(low) + 1);
  const offset = literalNumber(hash.offset);
  if (offset !== undefined) count = Math.max(0, count - Math.floor(offset));
  const limit = literalNumber(hash.limit);
  if (limit !== undefined) count = Math.min(count, Math.max(0, Math.floor(limit)));
  return count;
}

/**
 * Renders `template` against `context`. Values are inserted as they are: no
 * HTML escaping, no second pass. A variable missing from the context is an
 * error (ValidationError), never an empty string — except under `style.…`,
 * where a field the attached primer lacks reads as nothing.
 */
export function renderTemplate(template: string, context: TemplateContext): string {
  const parsed = parsedForRender(template);
  const steps: Record<string, StepDrop> = {};
  for (const [id, values] of Object.entries(context.steps)) steps[id] = new StepDrop(values);
  const scope = {
    inputs: context.inputs,
    defaults: context.defaults,
    steps,
    style: new StyleDrop(context.style),
    run: context.run,
  };
  try {
    const emitter = new BoundedEmitter(MAX_RENDERED_CHARACTERS);
    const rendering = new Context(scope, liquid.options, { sync: true });
    toValueSync(liquid.renderer.renderTemplates(parsed, rendering, emitter));
    return emitter.buffer;
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    const [line, column] = error.token?.getPosition?.() ?? [1, 1];
    const original = (error as LiquidError & { originalError?: Error }).originalError;
    const raw = original?.message ?? error.message.replace(/, line:\d+, col:\d+$/, "");
    throw new ValidationError(
      `Cannot render template: ${raw} at line ${line}, column ${column}`,
      [{ severity: "error", message: sentence(raw), path: "", line, column }],
      { cause: error },
    );
  }
}
