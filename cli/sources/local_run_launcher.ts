/**
 * A run this process drives: the pipeline from the workspace's library, the
 * missing inputs asked in a terminal, then every step driven by
 * cli/terminal/step_driver.ts on the workspace's RunService.
 */
import { ValidationError } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { CliContext } from "../cli_context.ts";
import { UsageError } from "../usage_error.ts";
import type { RunLauncher, RunRequest } from "./run_launcher.ts";

async function loadPipelineByName(context: CliContext, name: string): Promise<Pipeline> {
  const library = await context.library("pipeline");
  const entry = library.find(name);
  const { loadPipeline } = await import("../../engine/pipeline_loader.ts");
  const result = loadPipeline(library.read(entry), { file: entry.path, id: entry.name });
  if (!result.value) {
    const errors = result.issues.filter((issue) => issue.severity === "error");
    throw new ValidationError(
      `Pipeline "${entry.name}" has ${errors.length} problem${
        errors.length === 1 ? "" : "s"
      }: fix ${entry.path}`,
      result.issues,
    );
  }
  return result.value;
}

async function launch(context: CliContext, request: RunRequest): Promise<void> {
  const pipeline = await loadPipelineByName(context, request.pipeline);
  const { responses, interactive, inputs: given } = request;
  const config = await context.config();
  const styleId = request.style ?? (config.get<string>("style.default") || undefined);
  if (request.style) (await context.library("style")).find(request.style);
  let raw = given;
  const { TerminalInput, InterruptedError } = await import("../terminal/terminal_input.ts");
  const { InputHistory, historyPath } = await import("../terminal/input_history.ts");
  const input = interactive
    ? new TerminalInput({ history: InputHistory.open(historyPath(context.home)) })
    : undefined;
  if (input) {
    const { askInputs } = await import("../terminal/input_prompts.ts");
    input.catchInterrupts();
    try {
      raw = await askInputs(pipeline.inputs, given, {
        input,
        write: (text) => context.output.write(text),
        styles: context.output.styles,
      });
    } catch (error) {
      if (error instanceof InterruptedError) {
        context.output.note("\nStopped before the run started: nothing was recorded.");
        return;
      }
      throw error;
    }
  }
  const { checkSourcedLengths } = await import("../input_sources.ts");
  checkSourcedLengths(pipeline.inputs, raw, request.inputSources);
  const { validateInputs } = await import("../../engine/pipeline_loader.ts");
  const checked = validateInputs(pipeline, raw);
  if (!checked.value) {
    const missing = pipeline.inputs.filter((spec) =>
      checked.issues.some((issue) =>
        issue.path === `inputs.${spec.name}` && issue.code === "missing_input"
      )
    );
    if (missing.length === checked.issues.length && !interactive) {
      const list = missing.map((spec) => `${spec.name} (${spec.label})`).join(", ");
      const example = missing.map((spec) => `--input ${spec.name}=…`).join(" ");
      throw new UsageError(
        `Missing required input${
          missing.length === 1 ? "" : "s"
        }: ${list}: pass ${example} or --inputs FILE`,
      );
    }
    const count = checked.issues.length;
    throw new ValidationError(
      count === 1
        ? checked.issues[0].message
        : `The inputs for pipeline "${pipeline.id}" have ${count} problems`,
      checked.issues,
    );
  }
  const { createRunWiring } = await import("../run_wiring.ts");
  const wiring = await createRunWiring(context);
  const modelOverride = request.model ?? (config.get<string>("model.default") || undefined);
  const run = await wiring.service.createRun(pipeline, {
    inputs: raw,
    styleId,
    modelOverride,
    responses,
    autoSelect: request.yes,
    acceptInvalid: request.acceptInvalid,
  });
  if (request.json) {
    // What createRun wrote (run_created) comes before the events of the drive, as every event does.
    for (const event of await wiring.store.read(run.runId)) {
      context.output.printJsonLine({ type: "event", runId: run.runId, event });
    }
  } else {
    context.output.note(
      context.output.styles.dim(
        `Run ${run.runId} · pipeline ${pipeline.id}${
          modelOverride ? ` · model ${modelOverride}` : ""
        }`,
      ),
    );
  }
  const { driveRun } = await import("../terminal/step_driver.ts");
  await driveRun(context, wiring, run.runId, {
    yes: request.yes,
    acceptInvalid: request.acceptInvalid,
    json: request.json,
    input,
    pipeline,
  });
}

/** A RunLauncher that drives the run in this process. */
export function localRunLauncher(context: CliContext): RunLauncher {
  return {
    launch: (request) => launch(context, request),
    async estimate(request) {
      const pipeline = await loadPipelineByName(context, request.pipeline);
      const config = await context.config();
      const { createRunWiring } = await import("../run_wiring.ts");
      const wiring = await createRunWiring(context);
      const modelOverride = request.model ?? (config.get<string>("model.default") || undefined);
      if (modelOverride) wiring.service.checkModelName(modelOverride);
      return wiring.service.estimateRun(pipeline, {
        inputs: request.inputs,
        modelOverride,
        responses: request.responses,
      });
    },
  };
}
