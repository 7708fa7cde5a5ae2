/**
 * What a run of a pipeline would cost before anything is spent: per step and
 * model, the candidates asked for, input and output tokens and dollars, and
 * the total. Tokens are estimated from characters (engine/llm/token_estimate.ts):
 * a prompt is its template plus the inputs it names plus, for each earlier
 * step it reads, that step's expected answer; an answer is expected at the
 * step's `max_response_length`, else `max_tokens`, else 2,400 characters.
 * Cache hits are not subtracted (a first run has none). Models without a
 * price are listed, so a total of $0 never hides them.
 *
 * @example
 * ```ts
 * const estimate = estimateRun(pipeline, { inputs, sets, price });
 * console.log(estimate.costUsd);
 * ```
 */
import type { CandidateSet } from "./step_runner.ts";
import { CHARACTERS_PER_TOKEN } from "./llm/token_estimate.ts";
import type { Pipeline, StepSpec } from "./pipeline_schema.ts";

/** Characters expected of a step's answer when it says nothing of its length. */
export const DEFAULT_ANSWER_CHARACTERS = 2_400;

/** One model's share of a step. */
export interface ModelEstimate {
  model: string;
  candidates: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** False when the model has no price (its cost counts as 0). */
  priced: boolean;
}

/** One step's estimate. */
export interface StepEstimate {
  stepId: string;
  name: string;
  models: ModelEstimate[];
}

/** A run's estimate. */
export interface RunEstimate {
  steps: StepEstimate[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Models that have no price. */
  unpriced: string[];
  /** How the figures were made, in sentences. */
  assumptions: string[];
}

/** What `estimateRun` needs besides the pipeline. */
export interface EstimateOptions {
  inputs: Record<string, unknown>;
  /** The candidate sets of a step, as a run would ask them. */
  sets: (step: StepSpec) => CandidateSet[];
  /** Candidates per model, overriding the steps' own counts. */
  responses?: number;
  /** Cost of tokens on a model name; undefined when it has no price. */
  price: (
    model: string,
    tokens: { inputTokens: number; outputTokens: number },
  ) => number | undefined;
}

function tokensOf(characters: number): number {
  return Math.ceil(characters / CHARACTERS_PER_TOKEN);
}

function answerCharacters(step: StepSpec): number {
  return step.validation?.maxResponseLength ?? (step.maxTokens ? step.maxTokens * 4 : undefined) ??
    DEFAULT_ANSWER_CHARACTERS;
}

/** The estimate of a run of `pipeline`. */
export function estimateRun(pipeline: Pipeline, options: EstimateOptions): RunEstimate {
  const byId = new Map(pipeline.steps.map((step) => [step.id, step]));
  const unpriced = new Set<string>();
  const steps: StepEstimate[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  for (const step of pipeline.steps) {
    if (step.type === "user_input") continue;
    const template = `${step.systemPrompt ?? ""}\n${step.promptTemplate}`;
    let characters = template.length;
    for (const [name, value] of Object.entries(options.inputs)) {
      if (template.includes(`inputs.${name}`)) characters += String(value ?? "").length;
    }
    for (const [id, earlier] of byId) {
      if (id === step.id || !template.includes(`steps.${id}`)) continue;
      const all = template.includes(`steps.${id}.responses`);
      characters += answerCharacters(earlier) * (all ? earlier.responseCount : 1);
    }
    const candidates = options.responses ?? step.responseCount;
    const models = options.sets(step).map((set): ModelEstimate => {
      const tokens = {
        inputTokens: tokensOf(characters) * candidates,
        outputTokens: tokensOf(answerCharacters(step)) * candidates,
      };
      const cost = options.price(set.chain[0] ?? set.label, tokens);
      if (cost === undefined) unpriced.add(set.chain[0] ?? set.label);
      return {
        model: set.label,
        candidates,
        ...tokens,
        costUsd: cost ?? 0,
        priced: cost !== undefined,
      };
    });
    for (const model of models) {
      inputTokens += model.inputTokens;
      outputTokens += model.outputTokens;
      costUsd += model.costUsd;
    }
    steps.push({ stepId: step.id, name: step.name, models });
  }
  return {
    steps,
    inputTokens,
    outputTokens,
    costUsd,
    unpriced: [...unpriced],
    assumptions: [
      "tokens estimated as characters ÷ 4",
      `an answer is as long as the step allows (max_response_length, else max_tokens, else ${
        DEFAULT_ANSWER_CHARACTERS.toLocaleString("en-US")
      } characters)`,
      "no cache hits, no regenerations, no fallbacks",
    ],
  };
}
