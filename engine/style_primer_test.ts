import assert from "node:assert/strict";
import { loadStylePrimer, stylePrimerPromptText } from "./style_primer.ts";

const primer = `metadata:
  name: "Plain Speaker"
  description: "Short sentences, concrete words"
  version: "1.2.0"
voice:
  tone: "Calm, direct"
  personality: "Patient teacher"
  characteristics:
    - "Says one thing per sentence"
language:
  formality: "Informal"
  preferred_words:
    - 'use (instead of "utilize")'
  avoid:
    - Jargon
structure:
  opening:
    pattern: "Question → Answer"
    example: |
      "Why do builds break on Fridays? Because nobody reads the logs."
examples:
  good_opening: "Start with the reader's problem."
anti_patterns:
  voice:
    - "Lecturing"
`;

Deno.test("loadStylePrimer() extracts voice, openings and guidelines", () => {
  const { value, issues } = loadStylePrimer(primer, { file: "styles/plain-speaker.yaml" });
  assert.deepEqual(issues, []);
  assert.ok(value);
  assert.equal(value.primerId, "plain-speaker");
  assert.equal(value.name, "Plain Speaker");
  assert.equal(value.version, "1.2.0");
  assert.deepEqual(value.voiceAttributes, { tone: "Calm, direct", personality: "Patient teacher" });
  assert.deepEqual(value.exampleOpenings, [
    "Why do builds break on Fridays? Because nobody reads the logs.",
    "Start with the reader's problem.",
  ]);
  assert.deepEqual(value.guidelines, {
    avoid: ["Jargon", "Lecturing"],
    prefer: ['use (instead of "utilize")'],
  });
  assert.equal((value.fields.voice as Record<string, unknown>).tone, "Calm, direct");
  assert.equal(value.content, primer);
  assert.match(value.hash, /^[0-9a-f]{64}$/);
});

Deno.test("loadStylePrimer() reports every missing required part at once", () => {
  const { value, issues } = loadStylePrimer(
    `metadata:\n  name: x\nvoice:\n  personality: "Loud"\nexamples:\n  strong_opening: ""\n`,
    { file: "Bad_Name.yaml" },
  );
  assert.equal(value, undefined);
  assert.deepEqual(issues.map((issue) => [issue.line, issue.column, issue.path, issue.message]), [
    [
      1,
      1,
      "",
      'Style primer id "Bad_Name" is invalid: use lowercase letters, digits and hyphens, starting with a letter, as in "technical-expert"',
    ],
    [1, 1, "", 'The primer has no "structure" section: add one describing the structure to follow'],
    [1, 1, "", 'The primer has no "language" section: add one describing the language to follow'],
    [3, 1, "voice", 'The voice has no "tone": describe it, as in tone: "Professional, confident"'],
    [6, 19, "examples.strong_opening", 'Example openings must be non-empty text, not the text ""'],
  ]);
});

Deno.test("loadStylePrimer() reports YAML errors and empty text with positions", () => {
  assert.deepEqual(loadStylePrimer("   \n").issues.map((issue) => issue.message), [
    "The style primer is empty: describe at least voice (with tone), language and structure",
  ]);
  const broken = loadStylePrimer("voice:\n  tone: [a\nlanguage: {}\n", { file: "b.yaml" });
  assert.equal(broken.value, undefined);
  assert.equal(broken.issues[0].file, "b.yaml");
  assert.match(broken.issues[0].message, /^Invalid YAML: /);
});

Deno.test("stylePrimerPromptText() renders a compact guide with voice, language, structure and an example", () => {
  const { value } = loadStylePrimer(primer, { id: "plain" });
  assert.ok(value);
  assert.equal(
    stylePrimerPromptText(value),
    [
      'Write in the "Plain Speaker" style: Short sentences, concrete words.',
      "",
      "Voice:",
      "- Tone: Calm, direct",
      "- Personality: Patient teacher",
      "- Says one thing per sentence",
      "",
      "Language:",
      "- Formality: Informal",
      '- Prefer: use (instead of "utilize")',
      "- Avoid:",
      "  - Jargon",
      "  - Lecturing",
      "",
      "Structure:",
      "- Opening: Question → Answer",
      "",
      "Example opening:",
      "> Why do builds break on Fridays? Because nobody reads the logs.",
    ].join("\n"),
  );
});
