/**
 * What a step of a run is generated with, looked up in the service's
 * configuration: its candidate sets (engine/candidate_sets.ts, under the
 * run's model override or the configured default models), the language
 * model answering each set (a fallback chain when a set names several
 * models) and its style primer (the step's own, else the run's).
 *
 * @example
 * ```ts
 * const resources = new StepResources(options);
 * const sets = resources.setsOf(state, pipeline, "outline");
 * const model = resources.modelFor(sets[0]);
 * ```
 */
import { candidateSets, type ModelChoice } from "./candidate_sets.ts";
import { ConfigurationError, NotFoundError } from "./errors.ts";
import { createFallbackModel } from "./llm/fallback_model.ts";
import type { LanguageModel } from "./llm/language_model.ts";
import { resolveModelName } from "./llm/model_resolver.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import { stepSpecOf } from "./prompt_builder.ts";
import type { PipelineRun } from "./run_model.ts";
import type { ModelSource, RunServiceOptions } from "./run_service_options.ts";
import type { CandidateSet } from "./step_runner.ts";
import type { StoredRunOptions } from "./stored_run_options.ts";
import type { StylePrimer } from "./style_primer.ts";

/** The models and style primers of steps, from one RunService's options. */
export class StepResources {
  readonly #options: RunServiceOptions;

  constructor(options: RunServiceOptions) {
    this.#options = options;
  }

  /** The model choice of a run created with `modelOverride`. */
  choice(modelOverride?: string): ModelChoice {
    return {
      modelOverride,
      defaultModel: this.#options.defaultModel,
      defaultModels: this.#options.defaultModels,
    };
  }

  /** The model answering a candidate set (a fallback chain when it has several models). */
  modelFor(set: CandidateSet): LanguageModel {
    const models: ModelSource = this.#options.models;
    if (set.chain.length <= 1) return models.resolve(set.label);
    if (models.resolveChain) return models.resolveChain(set.chain);
    return createFallbackModel(
      set.chain.map((name) => ({ name: qualified(name), create: () => models.resolve(name) })),
    );
  }

  /** The candidate sets of a step of a run. */
  setsOf(state: PipelineRun, pipeline: Pipeline, stepId: string): CandidateSet[] {
    const stored = state.options as Partial<StoredRunOptions> | undefined;
    return candidateSets(stepSpecOf(pipeline, stepId), this.choice(stored?.modelOverride));
  }

  /** The style primer `id`; throws when there is no style library or no such primer. */
  style(id: string): StylePrimer {
    if (!this.#options.styles) {
      throw new ConfigurationError(
        `Style primer "${id}" is attached but this service has no style library: pass "styles" to RunService`,
      );
    }
    const primer = this.#options.styles(id);
    if (!primer) {
      throw new NotFoundError(
        `Style primer "${id}" was not found: list the available ones with "writeit style list"`,
      );
    }
    return primer;
  }

  /** The style primer of a step of a run: the step's own, else the run's, else none. */
  styleForStep(state: PipelineRun, pipeline: Pipeline, stepId: string): StylePrimer | undefined {
    const id = stepSpecOf(pipeline, stepId).style ?? state.styleId;
    return id ? this.style(id) : undefined;
  }
}

function qualified(name: string): string {
  try {
    return resolveModelName(name).name;
  } catch {
    return name;
  }
}
