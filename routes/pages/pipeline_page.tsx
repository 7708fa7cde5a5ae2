/**
 * One pipeline: its description, inputs and steps (models, dependencies,
 * validation rules) with validation problems shown next to what they are
 * about, the YAML source with every problem at its line, and the start form
 * island generated from the inputs (only when the pipeline is valid).
 */
import type { JSX } from "preact";
import type { ValidationIssue } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import { Island } from "../../components/island.tsx";
import { issuesUnder, IssueText, PipelineSource } from "../../components/pipeline_source.tsx";
import { StartRunForm, type StartRunFormProps } from "../../islands/start_run_form.tsx";

/** What the pipeline page shows. */
export interface PipelinePageProps {
  name: string;
  origin: string;
  source: string;
  pipeline?: Pipeline;
  issues: ValidationIssue[];
  form?: StartRunFormProps;
}

function Issues({ issues }: { issues: ValidationIssue[] }): JSX.Element | null {
  if (issues.length === 0) return null;
  return (
    <ul class="small">
      {issues.map((issue) => (
        <li>
          <IssueText issue={issue} />
        </li>
      ))}
    </ul>
  );
}

/** The page body. */
export function PipelinePage(props: PipelinePageProps): JSX.Element {
  const { pipeline, issues } = props;
  const errors = issues.filter((issue) => issue.severity === "error");
  return (
    <>
      <h1>{pipeline?.metadata.name ?? props.name}</h1>
      <p class="muted">
        <span class="mono">{props.name}</span> · {props.origin}
        {pipeline?.metadata.version ? ` · version ${pipeline.metadata.version}` : ""}
      </p>
      {pipeline?.metadata.description ? <p>{pipeline.metadata.description}</p> : null}
      {errors.length > 0
        ? (
          <div class="alert" role="alert">
            <p>
              <strong>
                {`This pipeline has ${errors.length} problem${errors.length === 1 ? "" : "s"}`}
              </strong>{" "}
              and cannot run until they are fixed. Each is shown below at its line.
            </p>
            <Issues issues={errors} />
          </div>
        )
        : null}
      <div class="grid">
        {props.form
          ? (
            <section class="panel" aria-labelledby="start-heading">
              <h2 id="start-heading">Start a run</h2>
              <Island name="StartRunForm" component={StartRunForm} props={props.form} />
            </section>
          )
          : null}
        {pipeline
          ? (
            <section class="panel" aria-labelledby="steps-heading">
              <h2 id="steps-heading">Steps</h2>
              <ol class="steps-list">
                {pipeline.steps.map((step) => {
                  return (
                    <li id={`step-${step.id}`}>
                      <strong>{step.name}</strong> <span class="mono muted">{step.id}</span>
                      {step.description ? <div class="small">{step.description}</div> : null}
                      <div class="small muted">
                        {step.models.length
                          ? `models side by side: ${step.models.join(", ")}`
                          : step.modelPreference.length > 1
                          ? `model: ${step.modelPreference.join(" → ")} (fallback order)`
                          : step.modelPreference.length === 1
                          ? `model: ${step.modelPreference[0]}`
                          : "model: the configured default"}
                        {step.dependsOn.length ? ` · after: ${step.dependsOn.join(", ")}` : ""}
                        {` · ${step.responseCount} candidate${
                          step.responseCount === 1 ? "" : "s"
                        } per model`}
                        {step.autoApprove ? " · auto-approve" : ""}
                        {step.validation?.minResponseLength !== undefined
                          ? ` · min ${step.validation.minResponseLength} chars`
                          : ""}
                        {step.validation?.maxResponseLength !== undefined
                          ? ` · max ${step.validation.maxResponseLength} chars`
                          : ""}
                      </div>
                      <Issues issues={issuesUnder(issues, `steps.${step.id}`)} />
                    </li>
                  );
                })}
              </ol>
              <h2>Inputs</h2>
              {pipeline.inputs.length === 0 ? <p class="muted">None.</p> : (
                <ul class="steps-list">
                  {pipeline.inputs.map((input) => (
                    <li>
                      <strong>{input.label}</strong>{" "}
                      <span class="mono muted">{`${input.name}: ${input.type}`}</span>
                      {input.required ? <span class="small">(required)</span> : null}
                      {input.help ? <div class="small muted">{input.help}</div> : null}
                      <Issues issues={issuesUnder(issues, `inputs.${input.name}`)} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )
          : null}
      </div>
      <section class="panel" aria-labelledby="source-heading">
        <details open={issues.length > 0}>
          <summary>
            <h2 id="source-heading" style="display:inline">Source</h2>{" "}
            <span class="small muted">
              {issues.length
                ? `${issues.length} issue${issues.length === 1 ? "" : "s"} marked in place`
                : "no issues"}
            </span>
          </summary>
          <PipelineSource text={props.source} issues={issues} />
        </details>
      </section>
    </>
  );
}
