/**
 * A corpus of broken pipelines (tests/fixtures/broken_pipelines/): each file
 * must fail to load with exactly the issues listed here — message, line,
 * column, dotted path and suggestion — and nothing else.
 */
import assert from "node:assert/strict";
import { formatIssue, type ValidationIssue } from "../engine/errors.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";

type Expected = [
  severity: ValidationIssue["severity"],
  line: number,
  column: number,
  path: string,
  message: string,
  suggestion?: string,
];

const NOT_EARLIER =
  "a step reads only the steps it depends on, directly or through others (see depends_on)";

const EXPECTED: Record<string, Expected[]> = {
  "malformed_yaml.yaml": [
    [
      "error",
      9,
      1,
      "",
      "Invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ],
  "tab_indentation.yaml": [
    ["error", 4, 1, "", "Tabs are not allowed for indentation in YAML: indent with spaces"],
    ["error", 5, 1, "", "Tabs are not allowed for indentation in YAML: indent with spaces"],
  ],
  "not_a_mapping.yaml": [
    ["error", 1, 1, "", "A pipeline must be a mapping with metadata, inputs and steps, not a list"],
  ],
  "wrong_type_response_count.yaml": [
    [
      "error",
      6,
      21,
      "steps.angles.response_count",
      '"response_count" must be a whole number from 1 to 10, not the text "three"',
    ],
  ],
  "response_count_zero.yaml": [
    [
      "error",
      6,
      21,
      "steps.plan.response_count",
      '"response_count" must be a whole number from 1 to 10, not the number 0',
    ],
  ],
  "temperature_out_of_range.yaml": [
    [
      "error",
      6,
      18,
      "steps.plan.temperature",
      '"temperature" must be a number from 0 to 2, not the number 3.5',
    ],
  ],
  "unknown_key_did_you_mean.yaml": [
    [
      "error",
      4,
      3,
      "steps.plan",
      'Step "plan" has no prompt_template: add one, or set "type: user_input" for a step a person writes (is "promt_template" a misspelling?)',
    ],
    [
      "warning",
      6,
      5,
      "steps.plan.promt_template",
      'Unknown key "promt_template" in step "plan": did you mean "prompt_template"?',
      "prompt_template",
    ],
  ],
  "missing_prompt_template.yaml": [
    [
      "error",
      4,
      3,
      "steps.plan",
      'Step "plan" has no prompt_template: add one, or set "type: user_input" for a step a person writes',
    ],
  ],
  "unknown_input_variable.yaml": [
    [
      "error",
      8,
      17,
      "steps.plan.prompt_template",
      'Cannot resolve "inputs.topc": there is no input "topc": did you mean "inputs.topic"?',
      "inputs.topic",
    ],
  ],
  "unknown_root_variable.yaml": [
    [
      "error",
      5,
      31,
      "steps.plan.prompt_template",
      'Cannot resolve "topic": templates read inputs, defaults, steps, style and run: did you mean "inputs.topic"?',
      "inputs.topic",
    ],
  ],
  "step_variable_not_earlier.yaml": [
    [
      "error",
      6,
      43,
      "steps.outline.prompt_template",
      `Cannot resolve "steps.draft.selected_response": "draft" is not an earlier step of "outline": ${NOT_EARLIER}`,
    ],
  ],
  "step_id_typo.yaml": [
    [
      "error",
      9,
      10,
      "steps.draft.prompt_template",
      'Cannot resolve "steps.outlne.selected_response": there is no step "outlne": did you mean "steps.outline"?',
      "steps.outline",
    ],
  ],
  "unknown_step_field.yaml": [
    [
      "error",
      7,
      38,
      "steps.write.prompt_template",
      'Cannot resolve "steps.plan.selected": a step has selected_response, responses, user_feedback and user_input: did you mean "steps.plan.selected_response"?',
      "steps.plan.selected_response",
    ],
  ],
  "bad_defaults_path.yaml": [
    [
      "error",
      8,
      27,
      "steps.plan.model_preference",
      'Cannot resolve "defaults.models.primry": "defaults.models" has no "primry": did you mean "defaults.models.primary"?',
      "defaults.models.primary",
    ],
  ],
  "unknown_filter.yaml": [
    [
      "error",
      6,
      16,
      "steps.plan.prompt_template",
      'Unknown filter "upcse": did you mean "upcase"?',
      "upcase",
    ],
  ],
  "include_tag.yaml": [
    [
      "error",
      7,
      7,
      "steps.plan.prompt_template",
      'The "include" tag is not allowed: templates cannot read other files, so put the text in the template or pass it as an input',
    ],
  ],
  "invalid_template_syntax.yaml": [
    [
      "error",
      7,
      7,
      "steps.plan.prompt_template",
      "Invalid template: Tag {% if inputs.topic %} not closed",
    ],
  ],
  "duplicate_step_ids.yaml": [
    ["error", 6, 3, "steps.draft", 'Duplicate step id "draft": each step needs its own id'],
  ],
  "duplicate_keys.yaml": [
    [
      "error",
      7,
      5,
      "steps.plan.temperature",
      'Duplicate key "temperature": each key may appear only once in a mapping',
    ],
  ],
  "cycle.yaml": [
    [
      "error",
      9,
      17,
      "steps.outline.depends_on",
      "Steps form a cycle: angles → outline → angles: remove one of these depends_on entries",
    ],
  ],
  "self_dependency.yaml": [
    [
      "error",
      6,
      17,
      "steps.plan.depends_on",
      'Step "plan" depends on itself: remove "plan" from its depends_on',
    ],
  ],
  "unknown_depends_on.yaml": [
    [
      "error",
      8,
      18,
      "steps.draft.depends_on[0]",
      'Step "draft" depends on unknown step "outlin": did you mean "outline"?',
      "outline",
    ],
  ],
  "choice_without_options.yaml": [
    [
      "error",
      3,
      3,
      "inputs.audience",
      'Choice input "audience" has no options: add "options" with at least one value',
    ],
  ],
  "default_not_in_options.yaml": [
    [
      "error",
      5,
      14,
      "inputs.audience.default",
      'Default "beginner" is not one of the options of "audience": did you mean "beginners"?',
      "beginners",
    ],
  ],
  "min_greater_than_max.yaml": [
    [
      "error",
      5,
      10,
      "inputs.words.min",
      '"min" (2000) is greater than "max" (500) in input "words": swap them',
    ],
  ],
  "bad_step_id.yaml": [
    [
      "error",
      4,
      3,
      "steps.first-draft",
      'Step id "first-draft" is invalid: use letters, digits and underscores, starting with a letter (for example "first_draft")',
      "first_draft",
    ],
  ],
  "empty_steps.yaml": [
    ["error", 5, 1, "steps", 'The pipeline has no steps: add at least one under "steps"'],
  ],
  "model_preference_empty.yaml": [
    [
      "error",
      6,
      23,
      "steps.plan.model_preference",
      '"model_preference" is an empty list: name at least one model, or remove "model_preference" to use the default model',
    ],
  ],
  "no_required_input.yaml": [
    [
      "error",
      1,
      1,
      "inputs",
      'No input is marked required: add "required: true" to at least one input',
    ],
  ],
  "multiple_problems.yaml": [
    [
      "error",
      3,
      1,
      "inputs",
      'No input is marked required: add "required: true" to at least one input',
    ],
    [
      "error",
      5,
      3,
      "inputs.tone",
      'Choice input "tone" has no options: add "options" with at least one value',
    ],
    [
      "error",
      10,
      18,
      "steps.outline.prompt_template",
      'Cannot resolve "inputs.topc": there is no input "topc": did you mean "inputs.topic"?',
      "inputs.topic",
    ],
    [
      "error",
      10,
      39,
      "steps.outline.prompt_template",
      `Cannot resolve "steps.draft": "draft" is not an earlier step of "outline": ${NOT_EARLIER}`,
    ],
    [
      "error",
      11,
      21,
      "steps.outline.response_count",
      '"response_count" must be a whole number from 1 to 10, not the number 11',
    ],
    [
      "warning",
      12,
      5,
      "steps.outline.temprature",
      'Unknown key "temprature" in step "outline": did you mean "temperature"?',
      "temperature",
    ],
    [
      "error",
      14,
      18,
      "steps.draft.depends_on[0]",
      'Step "draft" depends on unknown step "outlne": did you mean "outline"?',
      "outline",
    ],
    [
      "error",
      15,
      23,
      "steps.draft.prompt_template",
      'Unknown filter "shout": did you mean "shift"?',
      "shift",
    ],
  ],
};

const folder = new URL("./fixtures/broken_pipelines/", import.meta.url);

Deno.test("broken pipeline corpus: every fixture has expectations and there are at least 20", () => {
  const files = [...Deno.readDirSync(folder)].map((entry) => entry.name).filter((name) =>
    name.endsWith(".yaml")
  );
  assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  assert.ok(files.length >= 20);
});

for (const [name, expected] of Object.entries(EXPECTED)) {
  Deno.test(`loadPipeline() rejects ${name} with exact, located issues`, () => {
    const text = Deno.readTextFileSync(new URL(name, folder));
    const { value, issues } = loadPipeline(text, { file: name });
    assert.equal(value, undefined, `${name} should not load`);
    const actual = issues.map((issue) => {
      assert.equal(issue.file, name);
      const row: Expected = [issue.severity, issue.line!, issue.column!, issue.path, issue.message];
      if (issue.suggestion !== undefined) row.push(issue.suggestion);
      return row;
    });
    assert.deepEqual(actual, expected, issues.map(formatIssue).join("\n"));
  });
}

Deno.test("loadPipeline() reports every problem of one file at once, ordered by position", () => {
  const name = "multiple_problems.yaml";
  const { issues } = loadPipeline(Deno.readTextFileSync(new URL(name, folder)), { file: name });
  assert.equal(issues.filter((issue) => issue.severity === "error").length, 7);
  assert.equal(issues.filter((issue) => issue.severity === "warning").length, 1);
  const positions = issues.map((issue) => issue.line! * 1000 + issue.column!);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  assert.equal(
    formatIssue(issues[2]),
    'multiple_problems.yaml:10:18: error: Cannot resolve "inputs.topc": there is no input "topc": did you mean "inputs.topic"? (at steps.outline.prompt_template)',
  );
});
