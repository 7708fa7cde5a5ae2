/**
 * The original WriteIt's pipelines and style primers (seed-pipelines/) and our
 * bundled copies load with no issue at all, and every template in them
 * renders against a realistic run context.
 */
import assert from "node:assert/strict";
import { loadPipeline, validateInputs } from "../engine/pipeline_loader.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import { loadStylePrimer, stylePrimerPromptText } from "../engine/style_primer.ts";
import { renderTemplate } from "../engine/template.ts";
import { stepTemplateValues, type TemplateContext } from "../engine/template_context.ts";

const bundled = new URL("../pipelines/", import.meta.url);
/** Verbatim copies of the original WriteIt's files (MIT, see its LICENSE). */
const originals = new URL("./fixtures/seed-pipelines/", import.meta.url);
/** Where the originals live beside this checkout on the machines WriteIt is developed on. */
const shared = new URL("../../shared/seed-pipelines/", import.meta.url);
/** Model output that looks like a template: it must come out exactly as written. */
const LITERAL = "{{ inputs.topic }} {% raw %}";
const SEED_PIPELINES = ["tech-article", "quick-article"];
const SEED_PRIMERS = ["technical-expert", "conversational-blog", "business-executive"];

function read(url: URL): string {
  return Deno.readTextFileSync(url);
}

const sharedExists = (() => {
  try {
    return Deno.statSync(shared).isDirectory;
  } catch {
    return false;
  }
})();

const pipelineFiles: URL[] = [
  ...SEED_PIPELINES.map((name) => new URL(`${name}.yaml`, bundled)),
  new URL("field-guide.yaml", bundled),
  ...SEED_PIPELINES.map((name) => new URL(`templates/${name}.yaml`, originals)),
];
const primerFiles: URL[] = [
  ...SEED_PRIMERS.map((name) => new URL(`styles/${name}.yaml`, bundled)),
  ...SEED_PRIMERS.map((name) => new URL(`styles/${name}.yaml`, originals)),
];

Deno.test("bundled seed pipelines and primers are byte-for-byte copies of the originals", () => {
  for (const name of SEED_PIPELINES) {
    assert.equal(
      read(new URL(`${name}.yaml`, bundled)),
      read(new URL(`templates/${name}.yaml`, originals)),
    );
  }
  for (const name of SEED_PRIMERS) {
    assert.equal(
      read(new URL(`styles/${name}.yaml`, bundled)),
      read(new URL(`styles/${name}.yaml`, originals)),
    );
  }
});

Deno.test({
  name: sharedExists
    ? "the fixture copies match ../shared/seed-pipelines"
    : "the fixture copies match ../shared/seed-pipelines (skipped: no ../shared beside this checkout)",
  ignore: !sharedExists,
  fn() {
    for (
      const file of [
        ...SEED_PIPELINES.map((name) => `templates/${name}.yaml`),
        ...SEED_PRIMERS.map((name) => `styles/${name}.yaml`),
      ]
    ) {
      assert.equal(read(new URL(file, originals)), read(new URL(file, shared)), file);
    }
  },
});

for (const url of pipelineFiles) {
  Deno.test(`loadPipeline() loads ${url.pathname.split("/").slice(-2).join("/")} with no issues`, () => {
    const { value, issues } = loadPipeline(read(url), { file: url.pathname });
    assert.deepEqual(issues, []);
    assert.ok(value);
    assert.ok(value.steps.length >= 3);
    for (const step of value.steps) {
      assert.ok(step.modelPreference.length > 0 || step.models.length > 0, step.id);
      for (const model of [...step.modelPreference, ...step.models]) {
        assert.doesNotMatch(model, /\{\{/);
      }
    }
  });
}

for (const url of primerFiles) {
  Deno.test(`loadStylePrimer() loads ${url.pathname.split("/").slice(-2).join("/")} with no issues`, () => {
    const { value, issues } = loadStylePrimer(read(url), { file: url.pathname });
    assert.deepEqual(issues, []);
    assert.ok(value);
    assert.ok(value.voiceAttributes.tone);
    assert.ok(value.guidelines.avoid.length > 0);
    assert.ok(value.guidelines.prefer.length > 0);
    const text = stylePrimerPromptText(value);
    assert.ok(text.includes(`Tone: ${value.voiceAttributes.tone}`));
  });
}

function sampleInputs(pipeline: Pipeline): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const input of pipeline.inputs) {
    if (input.required && input.default === undefined) {
      raw[input.name] = `Sample ${input.name} about Raft consensus`;
    }
  }
  const result = validateInputs(pipeline, raw);
  assert.ok(result.value, JSON.stringify(result.issues));
  return result.value;
}

for (const name of [...SEED_PIPELINES, "field-guide"]) {
  Deno.test(`renderTemplate() renders every template of ${name} against a realistic context`, () => {
    const { value: pipeline } = loadPipeline(read(new URL(`${name}.yaml`, bundled)), { id: name });
    assert.ok(pipeline);
    const primer = loadStylePrimer(read(new URL("styles/technical-expert.yaml", bundled)), {
      id: "technical-expert",
    }).value;
    assert.ok(primer);
    const context: TemplateContext = {
      inputs: sampleInputs(pipeline),
      defaults: pipeline.defaults,
      steps: {},
      style: pipeline.style ? primer.fields : {},
      run: { id: "run-1", pipeline: name, workspace: "default", date: "2026-01-01" },
    };
    for (const step of pipeline.steps) {
      const prompt = renderTemplate(step.promptTemplate, context);
      for (const [input, value] of Object.entries(context.inputs)) {
        if (step.promptTemplate.includes(`inputs.${input} }}`)) {
          assert.ok(prompt.includes(String(value)), `${step.id} should include inputs.${input}`);
        }
      }
      assert.doesNotMatch(prompt.replaceAll(LITERAL, ""), /\{\{|\{%/);
      for (const dependency of step.dependsOn) {
        if (step.promptTemplate.includes(`steps.${dependency}`)) {
          assert.ok(
            prompt.includes(`Result of ${dependency} with a literal ${LITERAL} inside`),
            `${step.id} should include ${dependency}, literally`,
          );
        }
      }
      if (pipeline.style && step.promptTemplate.includes("style.voice.tone")) {
        assert.ok(prompt.includes(primer.voiceAttributes.tone));
      }
      for (const template of [step.systemPrompt, step.selectionPrompt]) {
        if (template !== undefined) {
          assert.doesNotMatch(renderTemplate(template, context).replaceAll(LITERAL, ""), /\{\{/);
        }
      }
      context.steps[step.id] = stepTemplateValues({
        selectedText: `Result of ${step.id} with a literal ${LITERAL} inside`,
        responses: [`Result of ${step.id}`],
        feedback: [],
      });
    }
  });
}
