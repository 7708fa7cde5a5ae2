/**
 * Shows a run while it generates. In a terminal: a block redrawn in place
 * with one line per streaming candidate (labelled by step and model,
 * `[1] outline · gpt-4.1 #1`, with its size and the tail of its text) and a
 * progress line (`step 2/4 outline · 1,234 tokens · $0.0123 · 00:12`, every
 * step named when several generate side by side). A finished candidate of
 * one of several parallel steps is named with its step. Without a terminal:
 * one plain line per fact on stderr. With `--json`: every update as one JSON
 * object per line on stdout, nothing else.
 */
import type { RunUpdate } from "../../engine/run_update.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { evolveInPlace } from "../../engine/run_evolve.ts";
import { attemptFailureNotice } from "../../engine/attempt_failure_notice.ts";
import type { Output } from "../output.ts";
import { visibleLength } from "../output.ts";
import { candidateLabel, candidateName } from "./step_menu.ts";
import { generationLabel } from "../../engine/generation_number.ts";

/** How updates are shown. */
export type DisplayMode = "live" | "plain" | "json";

interface Stream {
  key: string;
  stepId: string;
  model: string;
  candidateIndex: number;
  characters: number;
  tail: string;
  done: boolean;
  valid?: boolean;
}

/** Formats milliseconds as `mm:ss` (or `h:mm:ss`). */
export function formatElapsed(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  const two = (value: number) => String(value).padStart(2, "0");
  const hours = Math.floor(seconds / 3600);
  const rest = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

/**
 * `step 2/4 outline · 1,234 tokens · $0.0123 · 00:12`; steps generating side
 * by side are all named: `steps 2+3/4 research, audience_map · …`.
 */
export function progressLine(
  run: PipelineRun,
  options: { stepId?: string; stepIds?: string[]; extraTokens?: number; elapsedMs: number },
): string {
  const stepIds = options.stepIds && options.stepIds.length > 0
    ? options.stepIds
    : [options.stepId ?? run.currentStep ?? run.stepOrder.at(-1) ?? ""];
  const numbers = stepIds.map((id) => Math.max(0, run.stepOrder.indexOf(id)) + 1);
  const tokens = run.usage.totalTokens + (options.extraTokens ?? 0);
  return [
    `step${stepIds.length > 1 ? "s" : ""} ${numbers.join("+")}/${run.stepOrder.length} ${
      stepIds.join(", ")
    }`,
    `${tokens.toLocaleString("en-US")} tokens`,
    `$${run.usage.costUsd.toFixed(4)}`,
    formatElapsed(options.elapsedMs),
  ].join(" · ");
}

/** Follows a run's updates and shows them. */
export class LiveDisplay {
  readonly state: PipelineRun;
  readonly #output: Output;
  readonly #mode: DisplayMode;
  readonly #started: number;
  readonly #acceptInvalid: boolean;
  #streams = new Map<string, Stream>();
  /** Steps started whose candidates are not all in yet, with how many are still to come. */
  #generating = new Map<string, number>();
  /** Steps that generated while another did: their lines name them. */
  #sideBySide = new Set<string>();
  #drawnLines = 0;
  #lastDraw = 0;
  #timer?: ReturnType<typeof setInterval>;

  constructor(
    state: PipelineRun,
    output: Output,
    options: { mode: DisplayMode; startedAt?: number; acceptInvalid?: boolean },
  ) {
    this.state = state;
    this.#output = output;
    this.#mode = options.mode;
    this.#acceptInvalid = options.acceptInvalid ?? false;
    this.#started = options.startedAt ?? Date.now();
  }

  /** Milliseconds since the command started. */
  elapsed(): number {
    return Date.now() - this.#started;
  }

  /** Redraws the clock once a second while generating (live mode). */
  start(): void {
    if (this.#mode !== "live" || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#streams.size > 0) this.#draw(true);
    }, 1000);
  }

  /** Stops redrawing and leaves what was drawn on screen. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#mode === "live" && this.#streams.size > 0) this.#draw(true);
    this.#commit();
  }

  /** Takes one update from the run service. */
  update(update: RunUpdate): void {
    if (this.#mode === "json") this.#output.printJsonLine(update);
    if (update.type === "event") {
      const event = update.event;
      if (event.sequence > this.state.version) evolveInPlace(this.state, event);
      if (this.#mode !== "json") this.#onEvent(update);
      return;
    }
    if (this.#mode === "json") return;
    if (update.type === "notice") {
      this.#above(this.#output.styles.yellow(`! ${update.message}`));
      return;
    }
    const key = `${update.stepId}/${update.generation}/${update.model}/${update.candidateIndex}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      stream = {
        key,
        stepId: update.stepId,
        model: update.model,
        candidateIndex: update.candidateIndex,
        characters: 0,
        tail: "",
        done: false,
      };
      this.#streams.set(key, stream);
    }
    if (update.type === "chunk_reset") {
      stream.characters = 0;
      stream.tail = "";
      this.#above(
        this.#output.styles.yellow(
          `! ${update.model} #${update.candidateIndex + 1} restarted: ${update.reason}`,
        ),
      );
    } else {
      stream.characters += update.text.length;
      stream.tail = (stream.tail + update.text).slice(-200);
    }
    if (this.#mode === "live") this.#draw(false);
  }

  #onEvent(update: Extract<RunUpdate, { type: "event" }>): void {
    const event = update.event;
    const { styles } = this.#output;
    const position = (stepId: string) =>
      `${this.state.stepOrder.indexOf(stepId) + 1}/${this.state.stepOrder.length}`;
    switch (event.type) {
      case "step_started": {
        const data = event.data;
        const count = data.models.length * data.responseCount;
        if (this.#generating.size > 0) {
          for (const id of [...this.#generating.keys(), data.stepId]) this.#sideBySide.add(id);
        }
        this.#generating.set(data.stepId, count);
        this.#above(
          styles.bold(`Step ${position(data.stepId)} · ${data.stepId}`) +
            styles.dim(
              ` — ${count} candidate${count === 1 ? "" : "s"} from ${data.models.join(", ")}` +
                (data.generation > 0 ? ` (${generationLabel(data.generation)})` : ""),
            ),
        );
        return;
      }
      case "step_response_generated": {
        const response = event.data.response;
        for (const [key, stream] of this.#streams) {
          if (
            stream.stepId === event.data.stepId &&
            stream.candidateIndex === response.candidateIndex &&
            (stream.model === response.modelName || stream.model.endsWith(response.modelName) ||
              response.modelName.endsWith(stream.model))
          ) {
            this.#streams.delete(key);
            break;
          }
        }
        const valid = response.validation.passed
          ? styles.green("✓ valid")
          : styles.red(`✗ ${response.validation.reasons.join("; ")}`);
        // Steps generating side by side: each finished candidate says whose it is.
        const owner = this.#sideBySide.has(event.data.stepId) ? `${event.data.stepId} · ` : "";
        const left = (this.#generating.get(event.data.stepId) ?? 1) - 1;
        if (left > 0) this.#generating.set(event.data.stepId, left);
        else this.#generating.delete(event.data.stepId);
        this.#above(
          // No number yet: candidates are numbered in the menu, once all are in.
          `  ${owner}${candidateName(response)}  ${
            response.processedContent.length.toLocaleString("en-US")
          } chars  ${valid}` +
            (response.cached ? styles.dim("  (cached)") : ""),
        );
        return;
      }
      case "step_completed": {
        const step = this.state.steps[event.data.stepId];
        const index = step?.userSelection;
        const response = index !== undefined ? step?.responses[index] : undefined;
        const chosen = response && index !== undefined
          ? candidateLabel(response, index + 1)
          : "text";
        if (
          response && !response.validation.passed &&
          step?.selectedText === response.processedContent
        ) {
          this.#above(
            styles.yellow(
              `  ✗ ${event.data.stepId}: ${
                response.validation.reasons.join("; ")
              }: using ${chosen} anyway${this.#acceptInvalid ? " (--accept-invalid)" : ""}`,
            ),
          );
          return;
        }
        this.#above(styles.green(`  ✓ ${event.data.stepId}: using ${chosen}`));
        return;
      }
      case "step_failed":
        this.#generating.delete(event.data.stepId);
        this.#dropStreams(event.data.stepId);
        this.#above(styles.red(`  ✗ ${event.data.stepId} failed: ${event.data.error}`));
        return;
      case "step_skipped":
        this.#above(styles.dim(`  ${event.data.stepId} skipped`));
        return;
      case "model_attempt_failed": {
        const { stepId, ...failure } = event.data;
        this.#above(styles.yellow(`  ! ${attemptFailureNotice(stepId, failure)}`));
        return;
      }
      case "step_retried":
        if (event.data.reason === "resume") {
          this.#dropStreams(event.data.stepId);
          this.#above(styles.dim(`  ${event.data.stepId}: finishing the interrupted generation`));
        }
        return;
      case "run_completed":
        this.#above(
          styles.green("Run completed") +
            styles.dim(` · ${progressLine(this.state, { elapsedMs: this.elapsed() })}`),
        );
        return;
      case "run_failed":
        this.#above(styles.red(`Run failed: ${event.data.error}`));
        return;
      default:
        if (this.#mode === "live" && this.#streams.size > 0) this.#draw(true);
    }
  }

  #dropStreams(stepId: string): void {
    for (const [key, stream] of this.#streams) {
      if (stream.stepId === stepId) this.#streams.delete(key);
    }
  }

  /** Prints a line above the live block (or as a plain note). */
  #above(line: string): void {
    if (this.#mode === "plain") {
      this.#output.note(line);
      return;
    }
    this.#clear();
    this.#output.write(line + "\n");
    if (this.#streams.size > 0) this.#draw(true);
  }

  #width(): number {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return 100;
    }
  }

  #clear(): void {
    if (this.#drawnLines > 0) this.#output.write(`\x1b[${this.#drawnLines}F\x1b[J`);
    this.#drawnLines = 0;
  }

  #commit(): void {
    this.#drawnLines = 0;
  }

  #draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.#lastDraw < 60) return;
    this.#lastDraw = now;
    const { styles } = this.#output;
    const width = this.#width();
    const lines: string[] = [];
    let streamed = 0;
    let number = 0;
    const stepIds = [...new Set([...this.#streams.values()].map((stream) => stream.stepId))];
    for (const stream of this.#streams.values()) {
      number++;
      streamed += stream.characters;
      // Each line names its step: two steps generating side by side would look alike.
      const label = `[${number}] ${stream.stepId} · ${stream.model} #${stream.candidateIndex + 1}`;
      const head = `  ${styles.cyan(label)} ${
        styles.dim(`${stream.characters.toLocaleString("en-US")} chars`)
      } `;
      const room = Math.max(10, width - visibleLength(head) - 2);
      const tail = stream.tail.replace(/\s+/g, " ").trim().slice(-room);
      lines.push(head + tail);
    }
    lines.push(
      styles.dim(
        progressLine(this.state, {
          stepIds,
          extraTokens: Math.round(streamed / 4),
          elapsedMs: this.elapsed(),
        }),
      ),
    );
    this.#clear();
    this.#output.write(lines.map((line) => line.slice(0, width * 4)).join("\n") + "\n");
    this.#drawnLines = lines.length;
  }
}
