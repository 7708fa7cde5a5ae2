/** Unit tests of the export renderers (Markdown front matter, HTML escaping, layouts). */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { initialState, newStepState } from "../run_evolve.ts";
import type { AIResponse, PipelineRun } from "../run_model.ts";
import { renderExport } from "./export_renderer.ts";
import { finalText, firstHeading } from "./export_view.ts";
import { markdownToHtml } from "./markdown_to_html.ts";
import { assertSafeHtml, HOSTILE_MARKDOWN } from "../../tests/fixtures/hostile_markdown.ts";

const usage = {
  inputTokens: 10,
  outputTokens: 20,
  totalTokens: 30,
  costUsd: 0.25,
  estimated: false,
};

function response(stepId: string, text: string, passed = true): AIResponse {
  return {
    responseId: `${stepId}-r`,
    stepId,
    generation: 0,
    candidateIndex: 0,
    modelName: "gpt-4.1",
    provider: "openai",
    promptUsed: "prompt",
    rawOutput: text,
    processedContent: text,
    createdAt: "2026-01-01T00:00:00Z",
    usage,
    processingTime: 1,
    origin: "model",
    cached: false,
    validation: { passed, reasons: passed ? [] : ["shorter than 500 characters (12)"] },
  };
}

function sampleRun(finalStepText: string): PipelineRun {
  const run = initialState("run-12345678");
  Object.assign(run, {
    pipelineId: "demo",
    workspace: "default",
    createdAt: "2026-01-01T00:00:00Z",
    completedAt: "2026-01-01T00:05:00Z",
    status: "completed",
    stepOrder: ["outline", "draft"],
    usage,
  });
  for (const [stepId, text] of [["outline", "Outline ```x```"], ["draft", finalStepText]]) {
    const step = newStepState(stepId);
    step.responses.push(response(stepId, text, stepId === "draft"));
    step.userSelection = 0;
    step.selectedText = text;
    step.status = "completed";
    step.prompt = `Write about {{ topic }} for ${stepId}`;
    run.steps[stepId] = step;
  }
  return run;
}

Deno.test("firstHeading() strips markup and finalText() takes the last chosen text", () => {
  assert.equal(firstHeading("intro\n## **Bold** title ##\n# Later"), "Bold title");
  assert.equal(firstHeading("no heading here"), undefined);
  assert.equal(finalText(sampleRun("# Final")), "# Final");
});

Deno.test("renderExport() md writes parseable front matter and fences that survive backticks", () => {
  const markdown = renderExport(sampleRun('# Title: "quoted" & more\n\nBody'), undefined, {
    format: "md",
    history: true,
  });
  const [, yamlText, rest] = markdown.split(/^---\n/m);
  const frontMatter = parse(yamlText);
  assert.equal(frontMatter.title, 'Title: "quoted" & more');
  assert.equal(frontMatter.cost_usd, 0.25);
  assert.deepEqual(frontMatter.models, ["gpt-4.1"]);
  assert.match(rest, /^\n# Title/);
  assert.match(markdown, /````text\nOutline ```x```\n````/);
  assert.match(markdown, /Validation: failed: shorter than 500 characters \(12\)/);
});

Deno.test("renderExport() html escapes model text and markdownToHtml() never lets tags through", () => {
  const html = renderExport(
    sampleRun("# <img src=x onerror=alert(1)>\n\n**bold** <b>raw</b>"),
    undefined,
    {
      format: "html",
      history: true,
    },
  );
  assert.ok(!html.includes("<img"));
  assert.ok(!html.includes("<b>raw"));
  assert.match(html, /<h1>&lt;img src=x onerror=alert\(1\)&gt;<\/h1>/);
  assert.match(html, /<strong>bold<\/strong> &lt;b&gt;raw&lt;\/b&gt;/);
  assert.equal(
    markdownToHtml("[x](javascript:alert(1)) [y](https://example.com)"),
    '<p>[x](javascript:alert(1)) <a href="https://example.com">y</a></p>',
  );
});

Deno.test("renderExport() rejects a broken workspace layout with a clear error", () => {
  assert.throws(
    () => renderExport(sampleRun("# T"), undefined, { format: "md", layout: "<% it.nope( %>" }),
    /Cannot render the export layout/,
  );
});

Deno.test("renderExport() history counts generations from 1 in candidates and feedback", () => {
  const run = sampleRun("# Final");
  const draft = run.steps.draft;
  draft.feedback.push({ text: "Shorter", at: "2026-01-01T00:01:00Z", generation: 0 });
  draft.generation = 1;
  draft.responses.push({ ...response("draft", "# Second"), responseId: "draft-2", generation: 1 });
  for (const format of ["md", "html"] as const) {
    const text = renderExport(run, undefined, { format, history: true });
    assert.match(text, /generation 1\b/, `${format}: the first generation is 1`);
    assert.match(text, /generation 2\b/, `${format}: the regenerated candidate is 2`);
    assert.doesNotMatch(text, /generation 0\b/, `${format}: no generation 0`);
  }
  const markdown = renderExport(run, undefined, { format: "md", history: true });
  assert.match(markdown, /\(generation 1\) Shorter/);
});

Deno.test("renderExport() html with history stays safe for every hostile sample", () => {
  for (const sample of HOSTILE_MARKDOWN) {
    const run = sampleRun(sample);
    run.steps.draft.feedback.push({ text: sample, at: "2026-01-01T00:01:00Z", generation: 0 });
    const html = renderExport(run, undefined, { format: "html", history: true });
    assertSafeHtml(html, JSON.stringify(sample), ["style", "meta", "title"]);
  }
});
