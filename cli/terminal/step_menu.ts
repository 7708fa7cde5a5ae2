/**
 * The menu shown when a step's candidates are in: what the writer can type
 * (`1..N` pick, `v N` view, `m 1,2` merge, `e [N]` edit, `f` feedback then
 * regenerate, `r` regenerate, `b` branch, `<` back, `s` skip, `q` quit), the
 * parser for it, and the candidate list with each candidate's model and
 * validation result.
 */
import type { StepSpec } from "../../engine/pipeline_schema.ts";
import type { AIResponse, StepState } from "../../engine/run_model.ts";
import type { Styles } from "../output.ts";
import { generationNumber } from "../../engine/generation_number.ts";

/** What the writer asked for at a step. */
export type MenuCommand =
  | { type: "pick"; number: number }
  | { type: "view"; number: number }
  | { type: "merge"; numbers: number[]; instructions?: string }
  | { type: "edit"; number?: number }
  | { type: "feedback"; text?: string }
  | { type: "regenerate" }
  | { type: "branch" }
  | { type: "back" }
  | { type: "skip" }
  | { type: "quit" }
  | { type: "help" }
  | { type: "list" };

/** Parses one menu line; `count` is the number of candidates. Returns an error text for bad input. */
export function parseMenuCommand(line: string, count: number): MenuCommand | { error: string } {
  const text = line.trim();
  const inRange = (number: number) => Number.isInteger(number) && number >= 1 && number <= count;
  const rangeError = (value: string) => ({
    error: `There is no candidate ${value}: use 1 to ${count}`,
  });
  if (text === "") return { type: "list" };
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return inRange(number) ? { type: "pick", number } : rangeError(text);
  }
  const [word, ...rest] = text.split(/\s+/);
  const argument = rest.join(" ");
  switch (word.toLowerCase()) {
    case "v":
    case "view": {
      const number = Number(argument || (count === 1 ? "1" : ""));
      if (!argument && count !== 1) return { error: "Say which candidate to view: v 2" };
      return inRange(number) ? { type: "view", number } : rangeError(argument);
    }
    case "m":
    case "merge": {
      // "1,2", "1, 2" or "1 2", then optional instructions for the merge.
      const listed = /^(\d+(?:\s*,\s*|\s+)\d+(?:(?:\s*,\s*|\s+)\d+)*)(?:\s+(.*))?$/.exec(argument);
      const list = listed?.[1] ?? argument.split(/\s+/)[0];
      const instructions = listed ? [listed[2] ?? ""] : argument.split(/\s+/).slice(1);
      const numbers = (list ?? "").split(/\s*,\s*|\s+/).filter(Boolean).map(Number);
      if (numbers.length < 2) return { error: "Merge needs two or more candidates: m 1,2" };
      const bad = numbers.find((number) => !inRange(number));
      if (bad !== undefined) return rangeError(String(bad));
      if (new Set(numbers).size !== numbers.length) {
        return { error: "Name each candidate once: m 1,2" };
      }
      const extra = instructions.join(" ").trim();
      return { type: "merge", numbers, ...(extra ? { instructions: extra } : {}) };
    }
    case "e":
    case "edit": {
      if (!argument) return { type: "edit" };
      const number = Number(argument);
      return inRange(number) ? { type: "edit", number } : rangeError(argument);
    }
    case "f":
    case "feedback":
      return argument ? { type: "feedback", text: argument } : { type: "feedback" };
    case "r":
    case "regenerate":
      return { type: "regenerate" };
    case "b":
    case "branch":
      return { type: "branch" };
    case "<":
    case "back":
      return { type: "back" };
    case "s":
    case "skip":
      return { type: "skip" };
    case "q":
    case "quit":
      return { type: "quit" };
    case "?":
    case "h":
    case "help":
      return { type: "help" };
    case "l":
    case "list":
      return { type: "list" };
    default:
      return { error: `Unknown choice "${text}": type ? for the menu` };
  }
}

/** The menu entries that can be offered or left out, by what the run allows now. */
export type MenuOffer = Record<
  "pick" | "merge" | "edit" | "feedback" | "regenerate" | "branch" | "back" | "skip",
  boolean
>;

const EVERYTHING: MenuOffer = {
  pick: true,
  merge: true,
  edit: true,
  feedback: true,
  regenerate: true,
  branch: true,
  back: true,
  skip: true,
};

/**
 * The menu's help text: the keys of what can be done now (`offer`, all by
 * default), so a step with one candidate shows no merge and the first step
 * no back.
 */
export function menuHelp(count: number, styles: Styles, offer: MenuOffer = EVERYTHING): string {
  const key = (text: string) => styles.cyan(text);
  const entry = (shown: boolean, keys: string, what: string) =>
    shown ? [`${key(keys)} ${what}`] : [];
  const first = [
    ...entry(offer.pick, count === 1 ? "1" : `1..${count}`, "pick"),
    ...entry(count > 0, count === 1 ? "v 1" : "v N", "view in full"),
    ...entry(offer.merge && count > 1, "m 1,2", "merge"),
    ...entry(offer.edit, count === 1 ? "e" : "e [N]", "edit in $EDITOR"),
  ];
  const second = [
    ...entry(offer.feedback, "f", "feedback + regenerate"),
    ...entry(offer.regenerate, "r", "regenerate"),
    ...entry(offer.branch, "b", "branch"),
    ...entry(offer.back, "<", "back"),
    ...entry(offer.skip, "s", "skip"),
    `${key("q")} quit`,
  ];
  return [first, second].filter((line) => line.length > 0).map((line) => line.join("   "))
    .join("\n");
}

/** `gpt-4.1 #1`: a candidate's model and its place among that model's candidates. */
export function candidateName(response: AIResponse): string {
  if (response.origin === "merge") return `merge (${response.modelName})`;
  if (response.origin === "edit") return "edited";
  return `${response.modelName} #${response.candidateIndex + 1}`;
}

/** `[1] gpt-4.1 #1`: how a candidate is labelled where it can be picked by number. */
export function candidateLabel(response: AIResponse, number: number): string {
  return `[${number}] ${candidateName(response)}`;
}

function preview(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > width ? flat.slice(0, width - 1) + "…" : flat;
}

/** The list of a step's candidates: label, size, validation (with reasons), a preview. */
export function candidateList(
  step: StepState,
  styles: Styles,
  options: { width?: number } = {},
): string {
  const width = Math.max(30, (options.width ?? 100) - 20);
  const lines: string[] = [];
  step.responses.forEach((response, index) => {
    const number = index + 1;
    const older = response.generation < step.generation && response.origin === "model";
    const selected = step.userSelection === index ? styles.green(" ← selected") : "";
    const valid = response.validation.passed
      ? styles.green("✓ valid")
      : styles.red(`✗ ${response.validation.reasons.join("; ")}`);
    const size = `${response.processedContent.length.toLocaleString("en-US")} chars`;
    const generation = step.generation > 0
      ? styles.dim(` gen ${generationNumber(response.generation)}`)
      : "";
    const head = `${
      styles.bold(candidateLabel(response, number))
    }${generation}  ${size}  ${valid}${selected}`;
    lines.push(older ? styles.dim(head) : head);
    if (!older) lines.push(`    ${styles.dim(preview(response.processedContent, width))}`);
  });
  return lines.join("\n");
}

/** The step's heading: `Step 2/4 · Outline (outline)`. */
export function stepHeading(
  spec: StepSpec | undefined,
  stepId: string,
  position: { index: number; total: number },
  styles: Styles,
): string {
  const name = spec?.name ?? stepId;
  return styles.bold(`Step ${position.index + 1}/${position.total} · ${name}`) +
    styles.dim(` (${stepId})`);
}
