/**
 * `writeit pipeline …` and `writeit style …` as a subprocess, against a
 * temporary home: the bundled library, workspace files, file paths, exact
 * issue lines and exit codes (0 valid, 1 invalid, 2 usage).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, temporaryHome } from "./cli_harness.ts";

const BROKEN = new URL("./fixtures/broken_pipelines/", import.meta.url).pathname;

Deno.test("writeit pipeline list shows the bundled pipelines as valid", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["pipeline", "list", "--json"], { home: home.path });
  assert.equal(result.code, 0, result.stderr);
  const list = JSON.parse(result.stdout) as Array<{ name: string; valid: boolean; origin: string }>;
  const bundled = list.filter((entry) => entry.origin === "bundled").map((
    entry,
  ) => [entry.name, entry.valid]);
  assert.deepEqual(bundled, [["field-guide", true], ["quick-article", true], [
    "tech-article",
    true,
  ]]);
  const text = await runCli(["pipeline", "list"], { home: home.path });
  assert.match(text.stdout, /^NAME\s+FROM\s+STEPS\s+STATUS\s+DESCRIPTION/);
  assert.match(text.stdout, /tech-article\s+bundled\s+4\s+ok\s+Generate technical articles/);
});

Deno.test("writeit pipeline validate accepts the seeds and exits 0", async () => {
  await using home = await temporaryHome();
  const result = await runCli([
    "pipeline",
    "validate",
    "tech-article",
    "quick-article",
    "field-guide",
  ], {
    home: home.path,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "✓ tech-article: valid\n✓ quick-article: valid\n✓ field-guide: valid\n",
  );
  const json = await runCli(["pipeline", "validate", "tech-article", "--json"], {
    home: home.path,
  });
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout).results[0].issues, []);
});

Deno.test("writeit pipeline validate prints located issues and exits 1", async () => {
  await using home = await temporaryHome();
  const file = join(BROKEN, "multiple_problems.yaml");
  const result = await runCli(["pipeline", "validate", file], { home: home.path });
  assert.equal(result.code, 1);
  const lines = result.stdout.trim().split("\n");
  assert.equal(lines.length, 9);
  assert.equal(
    lines[2],
    `${file}:10:18: error: Cannot resolve "inputs.topc": there is no input "topc": did you mean "inputs.topic"? (at steps.outline.prompt_template)`,
  );
  assert.equal(
    lines[5],
    `${file}:12:5: warning: Unknown key "temprature" in step "outline": did you mean "temperature"? (at steps.outline.temprature)`,
  );
  assert.equal(lines[8], "✗ multiple_problems: 7 errors, 1 warning");
  assert.match(result.stderr, /error: 1 of 1 pipeline failed validation: multiple_problems/);

  const json = await runCli(["pipeline", "validate", file, "--json"], { home: home.path });
  assert.equal(json.code, 1);
  const body = JSON.parse(json.stdout);
  assert.equal(body.valid, false);
  assert.equal(body.results[0].valid, false);
  assert.equal(body.results[0].issues.length, 8);
  assert.deepEqual(
    [
      body.results[0].issues[0].line,
      body.results[0].issues[0].column,
      body.results[0].issues[0].path,
    ],
    [3, 1, "inputs"],
  );
});

Deno.test("writeit pipeline validate finds workspace pipelines and checks their style primers", async () => {
  await using home = await temporaryHome();
  assert.equal((await runCli(["init"], { home: home.path })).code, 0);
  const folder = join(home.path, "workspaces", "default", "pipelines");
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(
    join(folder, "styled.yaml"),
    `defaults:\n  style: technical-expertt\ninputs:\n  topic: { type: text, required: true }\nsteps:\n  plan:\n    prompt_template: "{{ inputs.topic }}"\n`,
  );
  const result = await runCli(["pipeline", "validate", "styled"], { home: home.path });
  assert.equal(result.code, 1);
  assert.equal(
    result.stdout.split("\n")[0],
    `${
      join(folder, "styled.yaml")
    }:2:10: error: Style primer "technical-expertt" was not found: did you mean "technical-expert"? (at defaults.style)`,
  );
});

Deno.test("writeit pipeline validate: an unknown name fails with a suggestion and the others are still checked; a missing argument is a usage error", async () => {
  await using home = await temporaryHome();
  const unknown = await runCli(["pipeline", "validate", "tech-artcle", "quick-article"], {
    home: home.path,
  });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /No pipeline named "tech-artcle": did you mean "tech-article"\?/);
  assert.match(unknown.stdout, /✗ tech-artcle: 1 error/);
  assert.match(unknown.stdout, /✓ quick-article: valid/, "the other names are still checked");
  const usage = await runCli(["pipeline", "validate"], { home: home.path });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /missing required argument/);
});

Deno.test("writeit pipeline show prints inputs, steps and the run order", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["pipeline", "show", "field-guide"], { home: home.path });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Run order: brief → research \+ audience_map → outline → draft → review/,
  );
  assert.match(
    result.stdout,
    /research +Research digest +llm_generation, after brief, models gpt-4\.1 \+ claude-sonnet-4, 2 candidates each/,
  );
  const json = await runCli(["pipeline", "show", "quick-article", "--json"], { home: home.path });
  const body = JSON.parse(json.stdout);
  assert.deepEqual(body.layers, [["plan"], ["write"], ["polish"]]);
  assert.deepEqual(body.steps[1].modelPreference, ["gpt-4.1-2025-04-14", "claude-4-sonnet"]);
});

Deno.test("writeit style list|show|validate work on the bundled primers", async () => {
  await using home = await temporaryHome();
  const list = await runCli(["style", "list", "--json"], { home: home.path });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    JSON.parse(list.stdout).map((
      entry: { name: string; valid: boolean },
    ) => [entry.name, entry.valid]),
    [["business-executive", true], ["conversational-blog", true], ["technical-expert", true]],
  );
  const show = await runCli(["style", "show", "technical-expert"], { home: home.path });
  assert.equal(show.code, 0);
  assert.match(show.stdout, /- Tone: Professional but accessible, confident, evidence-based/);
  const valid = await runCli(["style", "validate", "technical-expert", "conversational-blog"], {
    home: home.path,
  });
  assert.equal(valid.code, 0);
  assert.equal(valid.stdout, "✓ technical-expert: valid\n✓ conversational-blog: valid\n");
});

Deno.test("writeit style validate reports a primer without tone and exits 1", async () => {
  await using home = await temporaryHome();
  const file = join(home.path, "flat.yaml");
  await Deno.writeTextFile(file, "voice:\n  personality: loud\nlanguage: {}\nstructure: {}\n");
  const result = await runCli(["style", "validate", file], { home: home.path });
  assert.equal(result.code, 1);
  assert.equal(
    result.stdout,
    `${file}:1:1: error: The voice has no "tone": describe it, as in tone: "Professional, confident" (at voice)\n✗ flat: 1 error\n`,
  );
});

Deno.test("writeit pipeline list reflects a pipeline added, edited or broken since the last listing", async () => {
  await using home = await temporaryHome();
  const list = async () =>
    JSON.parse((await runCli(["pipeline", "list", "--json"], { home: home.path })).stdout) as {
      name: string;
      origin: string;
      valid: boolean;
      steps: string[] | null;
    }[];
  const before = await list();
  assert.equal(before.find((row) => row.name === "quick-article")?.origin, "bundled");

  const file = join(home.path, "workspaces", "default", "pipelines", "quick-article.yaml");
  const valid = [
    "metadata: { name: Mine }",
    "inputs:",
    "  topic: { type: text, required: true }",
    "steps:",
    "  only: { prompt_template: 'About {{ inputs.topic }}' }",
    "",
  ].join("\n");
  await Deno.writeTextFile(file, valid);
  const shadowed = (await list()).find((row) => row.name === "quick-article")!;
  assert.deepEqual([shadowed.origin, shadowed.steps], ["workspace", ["only"]]);

  await Deno.writeTextFile(file, valid.replace("inputs.topic", "inputs.topc"));
  const broken = (await list()).find((row) => row.name === "quick-article")!;
  assert.deepEqual([broken.valid, broken.steps], [false, null]);

  await Deno.remove(file);
  assert.equal((await list()).find((row) => row.name === "quick-article")?.origin, "bundled");
});

Deno.test("writeit style validate reports an unknown name and still checks the others", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["style", "validate", "tecnical-expert", "business-executive"], {
    home: home.path,
  });
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /No style named "tecnical-expert": did you mean "technical-expert"\?/,
  );
  assert.match(result.stdout, /✗ tecnical-expert: 1 error/);
  assert.match(result.stdout, /✓ business-executive: valid/);
});

Deno.test("writeit pipeline validate shows escape sequences from a hostile file as text", async () => {
  await using home = await temporaryHome();
  const file = join(home.path, "hostile.yaml");
  const hostile = "\x1b]0;PWNED\x07\x1b[2J";
  await Deno.writeTextFile(
    file,
    [
      "metadata: { name: Hostile }",
      "inputs:",
      "  topic: { type: text }",
      "steps:",
      "  plan:",
      "    prompt_template: 'About {{ inputs.topic }}'",
      `    "${hostile.replaceAll("\x1b", "\\e").replaceAll("\x07", "\\a")}": 1`,
      "",
    ].join("\n"),
  );
  const result = await runCli(["pipeline", "validate", file], { home: home.path });
  const shown = result.stdout + result.stderr;
  assert.match(shown, /\\x1b\]0;PWNED\\x07\\x1b\[2J/, shown);
  // deno-lint-ignore no-control-regex
  const control = /[\x00-\x08\x0b-\x1f\x7f]/;
  assert.doesNotMatch(shown, control, "no control character reaches the terminal");
});
