/**
 * Builds what a step sends to its models from the run's state: the template
 * context (inputs with defaults applied, `defaults`, every step's selection,
 * candidates and accumulated feedback, the attached style primer, the run),
 * the rendered prompt, and the system prompt. Two things reach the model even
 * when a template does not ask for them: the style primer (its
 * `stylePrimerPromptText` joins the system prompt unless a template of the
 * step already reads `style.…`) and the writer's feedback on the step (a
 * "Writer's feedback on earlier candidates" section after the prompt unless
 * the template reads `steps.<id>.user_feedback` or `.user_input`).
 *
 * @example
 * ```ts
 * const built = buildStepPrompt(pipeline, state, { stepId: "outline", style });
 * built.messages; // [{ role: "system", … }, { role: "user", content: built.prompt }]
 * ```
 */
import type { ChatMessage } from "./llm/language_model.ts";
import type { Pipeline, StepSpec } from "./pipeline_schema.ts";
import type { PipelineRun } from "./run_model.ts";
import { type StylePrimer, stylePrimerPromptText } from "./style_primer.ts";
import { renderTemplate, templateVariables } from "./template.ts";
import { stepTemplateValues, type TemplateContext } from "./template_context.ts";

/** Heading of the feedback section appended to a prompt that does not read the feedback itself. */
export const FEEDBACK_HEADING = "Writer's feedback on earlier candidates";

/** Options of `buildStepPrompt`. */
export interface BuildPromptOptions {
  stepId: string;
  /** The style primer attached to this step, if any. */
  style?: StylePrimer;
}

/** A step's rendered request. */
export interface BuiltPrompt {
  /** The user prompt: the rendered template plus, when needed, the feedback section. */
  prompt: string;
  /** The system prompt (rendered `system_prompt` plus the style guide), when there is one. */
  systemPrompt?: string;
  messages: ChatMessage[];
}

const variableCache = new Map<string, string[]>();

/** Paths a template reads, memoized (templates repeat across runs). */
function pathsOf(template: string): string[] {
  let paths = variableCache.get(template);
  if (!paths) {
    paths = templateVariables(template).map((use) => use.path);
    if (variableCache.size > 512) variableCache.delete(variableCache.keys().next().value!);
    variableCache.set(template, paths);
  }
  return paths;
}

/** The template context of `state` (every step's current values). */
export function templateContextOf(
  pipeline: Pipeline,
  state: PipelineRun,
  style?: StylePrimer,
): TemplateContext {
  const steps: TemplateContext["steps"] = {};
  for (const id of state.stepOrder) {
    const step = state.steps[id];
    if (!step) continue;
    const done = step.status === "completed" || step.status === "skipped" ||
      step.selectedText !== undefined;
    steps[id] = stepTemplateValues({
      selectedText: step.status === "skipped" ? "" : done ? step.selectedText : "",
      responses: step.responses.map((response) => response.processedContent),
      feedback: step.feedback.map((feedback) => feedback.text),
    });
  }
  return {
    inputs: state.userInputs,
    defaults: pipeline.defaults,
    steps,
    style: style?.fields ?? {},
    run: {
      id: state.runId,
      pipeline: state.pipelineId,
      workspace: state.workspace,
      date: (state.createdAt || "").slice(0, 10),
    },
  };
}

function readsFeedback(template: string, stepId: string): boolean {
  return pathsOf(template).some((path) =>
    path === `steps.${stepId}.user_feedback` || path === `steps.${stepId}.user_input`
  );
}

function readsStyle(template: string | undefined): boolean {
  if (!template) return false;
  return pathsOf(template).some((path) =>
    path === "style" || path.startsWith("style.") ||
    path.startsWith("style[")
  );
}

/** The feedback section for `feedback` (oldest first). */
export function feedbackSection(feedback: readonly string[]): string {
  const items = feedback.filter((text) => text.trim() !== "").map((text) =>
    `- ${text.trim().replace(/\n/g, "\n  ")}`
  );
  return `## ${FEEDBACK_HEADING}\n\nRevise with this feedback in mind:\n${items.join("\n")}`;
}

/** Renders the prompt and system prompt of `stepId` for the current state. */
export function buildStepPrompt(
  pipeline: Pipeline,
  state: PipelineRun,
  options: BuildPromptOptions,
): BuiltPrompt {
  const spec = stepSpecOf(pipeline, options.stepId);
  const context = templateContextOf(pipeline, state, options.style);
  let prompt = renderTemplate(spec.promptTemplate, context);
  const feedback = (state.steps[spec.id]?.feedback ?? []).map((item) => item.text);
  if (feedback.length > 0 && !readsFeedback(spec.promptTemplate, spec.id)) {
    prompt = `${prompt.trimEnd()}\n\n${feedbackSection(feedback)}\n`;
  }
  const systemParts: string[] = [];
  if (spec.systemPrompt) systemParts.push(renderTemplate(spec.systemPrompt, context).trim());
  if (
    options.style && !readsStyle(spec.promptTemplate) && !readsStyle(spec.systemPrompt)
  ) {
    systemParts.push(stylePrimerPromptText(options.style).trim());
  }
  const systemPrompt = systemParts.filter((part) => part !== "").join("\n\n") || undefined;
  return { prompt, systemPrompt, messages: messagesOf(prompt, systemPrompt) };
}

/** Chat messages for a prompt and an optional system prompt. */
export function messagesOf(prompt: string, systemPrompt?: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt) messages.push({ role: "system", content: systemPrompt });
  messages.push({ role: "user", content: prompt });
  return messages;
}

/** The step's spec; TypeError when the pipeline has no such step (a programming error). */
export function stepSpecOf(pipeline: Pipeline, stepId: string): StepSpec {
  const spec = pipeline.steps.find((step) => step.id === stepId);
  if (!spec) {
    throw new TypeError(`Pipeline "${pipeline.id}" has no step "${stepId}"`);
  }
  return spec;
}
