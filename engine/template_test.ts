import assert from "node:assert/strict";
import { ValidationError } from "./errors.ts";
import {
  MAX_RENDERED_CHARACTERS,
  minimumRenderedLength,
  renderTemplate,
  templateFilterNames,
  templateSyntaxIssue,
  templateVariables,
} from "./template.ts";
import { stepTemplateValues, type TemplateContext } from "./template_context.ts";

function context(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    inputs: { topic: "CRDTs", count: 3 },
    defaults: { word_count: "600 words", models: { primary: "gpt-4.1" } },
    steps: {
      plan: stepTemplateValues({
        selectedText: "The plan",
        responses: ["First plan", "The plan"],
        feedback: ["Shorter, please.", "More examples."],
      }),
      empty: stepTemplateValues({}),
    },
    style: { voice: { tone: "Direct" } },
    run: { id: "run-1", pipeline: "quick-article", workspace: "default", date: "2026-01-01" },
    ...overrides,
  };
}

Deno.test("renderTemplate() fills inputs, defaults, steps, style and run", () => {
  const text = renderTemplate(
    "{{ inputs.topic }}|{{ defaults.models.primary }}|{{ steps.plan.selected_response }}|{{ style.voice.tone }}|{{ run.date }}",
    context(),
  );
  assert.equal(text, "CRDTs|gpt-4.1|The plan|Direct|2026-01-01");
});

Deno.test("renderTemplate() prints steps.X alone as its selected response", () => {
  assert.equal(
    renderTemplate("[{{ steps.plan }}] [{{ steps.plan | upcase }}]", context()),
    "[The plan] [THE PLAN]",
  );
  assert.equal(renderTemplate("{{ steps.plan.size }} {{ steps.plan | size }}", context()), "8 8");
});

Deno.test("renderTemplate() joins feedback with blank lines and gives '' when there is none", () => {
  assert.equal(
    renderTemplate("{{ steps.plan.user_feedback }}", context()),
    "Shorter, please.\n\nMore examples.",
  );
  assert.equal(
    renderTemplate("{{ steps.plan.user_input }}", context()),
    "Shorter, please.\n\nMore examples.",
  );
  assert.equal(renderTemplate("[{{ steps.empty.user_feedback }}]", context()), "[]");
});

Deno.test("renderTemplate() inserts values literally, never parsing them again or escaping HTML", () => {
  const draft = "Use {{ x }} and {% raw %}{% endraw %} <b>& 'quotes'</b>";
  const rendered = renderTemplate(
    "Draft: {{ steps.plan }} / {{ inputs.topic }}",
    context({
      inputs: { topic: "{% include 'secret' %}" },
      steps: { plan: stepTemplateValues({ selectedText: draft }) },
    }),
  );
  assert.equal(rendered, `Draft: ${draft} / {% include 'secret' %}`);
});

Deno.test("renderTemplate() supports filters, loops and assignments", () => {
  const text = renderTemplate(
    "{% for r in steps.plan.responses %}{{ forloop.index }}={{ r | truncate: 8 }};{% endfor %}{% assign t = inputs.topic | downcase %}{{ t }} {{ steps.plan.responses | join: '/' }} {{ inputs.missing | default: 'none' }}",
    context({ inputs: { topic: "CRDTs", missing: "" } }),
  );
  assert.equal(text, "1=First...;2=The plan;crdts First plan/The plan none");
});

Deno.test("renderTemplate() accepts upper, lower, length and trim as filter names", () => {
  assert.equal(
    renderTemplate(
      "{{ inputs.topic | upper }} {{ inputs.topic | lower }} {{ inputs.topic | length }} [{{ inputs.pad | trim }}]",
      context({ inputs: { topic: "CRDTs", pad: "  x  " } }),
    ),
    "CRDTS crdts 5 [x]",
  );
});

Deno.test("renderTemplate() fails on an undefined variable instead of printing nothing", () => {
  assert.throws(
    () => renderTemplate("Hello {{ inputs.nobody }}", context()),
    (error: unknown) =>
      error instanceof ValidationError && /undefined variable: inputs.nobody/.test(error.message),
  );
});

Deno.test("renderTemplate() refuses file tags and object-model properties", () => {
  assert.throws(
    () => renderTemplate("{% include 'x' %}", context()),
    /"include" tag is not allowed/,
  );
  assert.throws(() => renderTemplate("{% render 'x' %}", context()), /"render" tag is not allowed/);
  assert.throws(
    () => renderTemplate("{{ steps.plan.constructor }}", context()),
    /"constructor", which is not data/,
  );
  assert.throws(
    () => renderTemplate("{{ inputs.toString }}", context()),
    /undefined variable: inputs.toString/,
  );
});

Deno.test("templateVariables() lists globals with positions, not loop or assigned names", () => {
  const second =
    "{% for r in steps.plan.responses %}{{ r }}{{ forloop.index }}{{ steps.plan.responses[forloop.index0] }}{% endfor %}{% assign a = 1 %}{{ a }}";
  const uses = templateVariables(`Hi {{ inputs.topic }}\n${second}`);
  assert.deepEqual(uses.map((use) => [use.path, use.line, use.column]), [
    ["inputs.topic", 1, 7],
    ["steps.plan.responses", 2, second.indexOf("steps") + 1],
    ["steps.plan.responses[…]", 2, second.lastIndexOf("steps") + 1],
  ]);
  assert.deepEqual(uses[2].segments, ["steps", "plan", "responses", null]);
});

Deno.test("templateVariables() throws a ValidationError on bad syntax", () => {
  assert.throws(() => templateVariables("{{ a "), ValidationError);
});

Deno.test("templateSyntaxIssue() names unknown filters and forbidden tags with positions", () => {
  assert.deepEqual(templateSyntaxIssue("ok\n  {{ a | upcse }}"), {
    message: 'Unknown filter "upcse"',
    line: 2,
    column: 3,
    unknownFilter: "upcse",
  });
  assert.equal(templateSyntaxIssue("{% layout 'x' %}")?.forbiddenTag, "layout");
  assert.equal(templateSyntaxIssue("{{ a | upcase }}"), undefined);
  assert.ok(templateFilterNames().includes("truncate"));
});

Deno.test("renderTemplate() reads style leniently: a field the primer lacks is empty and takes defaults", () => {
  const text = renderTemplate(
    '[{{ style.voice.tone }}] [{{ style.voice.mood | default: "calm" }}] [{% if style.nope %}x{% endif %}] [{{ style.nope.deeper }}]',
    context(),
  );
  assert.equal(text, "[Direct] [calm] [] []");
  assert.equal(
    renderTemplate('{{ style.voice.tone | default: "plain" }}', context({ style: {} })),
    "plain",
  );
});

Deno.test("renderTemplate() stops a prompt past the size limit at once, naming the loop that overflowed", () => {
  const nested = "Intro\n{% for i in (1..3000) %}{% for j in (1..3000) %}x{% endfor %}{% endfor %}";
  const started = performance.now();
  assert.throws(
    () => renderTemplate(nested, context()),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /more than 1,000,000 characters, the limit for one prompt/);
      assert.match(error.message, /at line 2, column \d+$/);
      return true;
    },
  );
  assert.ok(performance.now() - started < 3_000, "the render stops near the limit");
  const big = "y".repeat(MAX_RENDERED_CHARACTERS - 10);
  const inputs = { topic: big, count: 3 };
  assert.equal(renderTemplate("{{ inputs.topic }}", context({ inputs })).length, big.length);
  assert.throws(() => renderTemplate("{{ inputs.topic }}{{ inputs.topic }}", context({ inputs })));
});

Deno.test("minimumRenderedLength() multiplies literal text by literal loop ranges and ignores the rest", () => {
  assert.equal(minimumRenderedLength("abc"), 3);
  assert.equal(minimumRenderedLength("{% for i in (1..10) %}ab{% endfor %}"), 20);
  assert.equal(minimumRenderedLength("{% for i in (1..10) offset: 2 limit: 3 %}ab{% endfor %}"), 6);
  assert.equal(
    minimumRenderedLength(
      "{% for i in (1..3000) %}{% for j in (1..3000) %}x{% endfor %}{% endfor %}",
    ),
    9_000_000,
  );
  assert.equal(
    minimumRenderedLength("{% for s in steps.plan.responses %}long text{% endfor %}"),
    0,
  );
  assert.equal(minimumRenderedLength("{% if inputs.topic %}{{ inputs.topic }}{% endif %}"), 0);
  assert.equal(minimumRenderedLength("{% for i in (1..n) %}x{% endfor %}"), 0);
  assert.equal(minimumRenderedLength("{{ broken"), 0);
});
