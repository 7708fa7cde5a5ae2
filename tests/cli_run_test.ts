/**
 * End-to-end tests of `writeit run`, `resume`, `branch` and `rewind` without a
 * terminal: the real CLI as a subprocess on the offline model, against a
 * temporary WriteIt home.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import type { InputSpec } from "../engine/pipeline_schema.ts";
import { runCli, temporaryHome } from "./cli_harness.ts";
import { startOpenAIWireServer } from "./fixtures/openai_wire_server.ts";

const BUNDLED = new URL("../pipelines/", import.meta.url).pathname;
const SEEDS = new URL("./fixtures/seed-pipelines/templates/", import.meta.url).pathname;

function sampleValue(spec: InputSpec): string {
  switch (spec.type) {
    case "number":
      return String(spec.min ?? 3);
    case "boolean":
      return "yes";
    case "choice":
      return spec.options[0].value;
    default:
      return "Local-first software and CRDTs";
  }
}

/** `--input` flags for every required input without a default. */
function requiredInputs(path: string): string[] {
  const { value } = loadPipeline(readFileSync(path, "utf8"), { file: path });
  assert.ok(value, `${path} loads`);
  return value.inputs
    .filter((spec) => spec.required && spec.default === undefined)
    .flatMap((spec) => ["--input", `${spec.name}=${sampleValue(spec)}`]);
}

function pipelineFiles(): string[] {
  const files = readdirSync(BUNDLED).filter((name) => name.endsWith(".yaml")).map((name) =>
    BUNDLED + name
  );
  files.push(
    ...readdirSync(SEEDS).filter((name) => name.endsWith(".yaml")).map((name) => SEEDS + name),
  );
  return files;
}

function runIdFrom(stderr: string): string {
  const match = /Run ([0-9a-f-]{36})/.exec(stderr);
  assert.ok(match, `a run id in: ${stderr}`);
  return match[1];
}

Deno.test("writeit run --yes completes every bundled and seed pipeline on the offline model and saves the article", async () => {
  await using home = await temporaryHome();
  const files = pipelineFiles();
  assert.ok(files.length >= 3, "bundled pipelines exist");
  for (const file of files) {
    const result = await runCli([
      "run",
      file,
      ...requiredInputs(file),
      "--model",
      "offline",
      "--yes",
    ], {
      home: home.path,
    });
    assert.equal(result.code, 0, `${file}: ${result.stderr}`);
    const path = /^Article: (.+)$/m.exec(result.stdout)?.[1];
    assert.ok(path, `${file}: prints where the article is: ${result.stdout}`);
    assert.match(path, /\/outputs\/\d{4}-\d{2}-\d{2}-[\w-]+-[0-9a-f]{8}\.md$/);
    const article = readFileSync(path, "utf8");
    const frontMatter = parse(article.split("---\n")[1]);
    assert.equal(frontMatter.status, "completed");
    assert.ok(
      article.split("---\n").slice(2).join("---\n").trim().length > 200,
      `${file}: has a body`,
    );
  }
});

Deno.test("writeit run without a terminal pauses at the first choice; resume --yes finishes it", async () => {
  await using home = await temporaryHome();
  const started = await runCli(
    ["run", "quick-article", "--input", "topic=Rust ownership", "--model", "offline"],
    { home: home.path },
  );
  assert.equal(started.code, 0, started.stderr);
  const runId = runIdFrom(started.stderr);
  assert.match(started.stderr, /waiting for you to choose/);
  assert.match(started.stderr, new RegExp(`writeit resume ${runId}`));
  const exported = await runCli(["export", runId, "--format", "json"], { home: home.path });
  const document = JSON.parse(exported.stdout);
  assert.equal(document.run.status, "paused");
  assert.equal(document.run.steps.plan.status, "awaiting_selection");

  const resumed = await runCli(["resume", runId.slice(0, 8), "--yes"], { home: home.path });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /completed/);
  assert.match(resumed.stdout, /^Article: .+\.md$/m);
});

/** A pipeline whose first step the offline model cannot satisfy (its shortest answer is longer). */
const TIGHT_PIPELINE = `
metadata:
  name: "Tight"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  note:
    name: Note
    prompt_template: "A note on {{ inputs.topic }}."
    response_count: 2
    validation:
      max_response_length: 120
      required_elements: ["hook", "conclusion"]
  expand:
    name: Expand
    prompt_template: "Expand {{ steps.note.selected_response }}"
`;

Deno.test("writeit run --yes stops with exit 1 at a step with no valid candidate; --accept-invalid uses the first", async () => {
  await using home = await temporaryHome();
  const file = join(home.path, "tight.yaml");
  await Deno.writeTextFile(file, TIGHT_PIPELINE);
  const args = ["run", file, "--input", "topic=tea", "--model", "offline", "--yes"];

  const stopped = await runCli(args, { home: home.path });
  assert.equal(stopped.code, 1, stopped.stderr);
  const runId = runIdFrom(stopped.stderr);
  assert.doesNotMatch(stopped.stderr, /using \[/);
  assert.match(
    stopped.stderr,
    /error: Step "note" has no candidate that passes validation: \[1\] offline #\d longer than 120 characters \(\d+\); \[2\] offline #\d longer than 120 characters \(\d+\)/,
  );
  assert.match(
    stopped.stderr,
    new RegExp(`pick one in a terminal with \`writeit resume ${runId}\``),
  );
  assert.match(stopped.stderr, new RegExp(`writeit resume ${runId} --yes --accept-invalid`));
  assert.doesNotMatch(stopped.stdout, /^Article:/m);
  const shown = await runCli(["runs", "show", runId], { home: home.path });
  assert.match(
    shown.stdout,
    /Status {5}paused \(Step "note" has no candidate that passes validation: /,
  );

  const again = await runCli(["resume", runId, "--yes"], { home: home.path });
  assert.equal(again.code, 1, "resume --yes stops at the same step");
  assert.match(again.stderr, /Step "note" has no candidate that passes validation/);

  const accepted = await runCli(["resume", runId, "--yes", "--accept-invalid"], {
    home: home.path,
  });
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(
    accepted.stderr,
    /✗ note: longer than 120 characters \(\d+\): using \[1\] offline #1 anyway \(--accept-invalid\)/,
  );
  assert.match(accepted.stdout, /^Article: .+\.md$/m);

  const direct = await runCli([...args, "--accept-invalid"], { home: home.path });
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stderr, /using \[1\] offline #1 anyway \(--accept-invalid\)/);
  assert.match(direct.stdout, /^Article: .+\.md$/m);
});

Deno.test("writeit run without a terminal names missing required inputs and exits 2", async () => {
  await using home = await temporaryHome();
  const result = await runCli(["run", "tech-article", "--model", "offline", "--yes"], {
    home: home.path,
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Missing required input/);
  assert.match(result.stderr, /source_material/);
  assert.match(result.stderr, /--input source_material=/);
});

Deno.test("writeit run with the pipeline's own models and no key for them is refused before a run exists, in one line", async () => {
  await using home = await temporaryHome();
  const result = await runCli(
    ["run", "quick-article", "--yes", "--input", "topic=Keys", "--input", "audience=general"],
    { home: home.path },
  );
  assert.equal(result.code, 1, result.stderr);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(
    errors[0],
    /^error: Cannot start a run of "quick-article": OPENAI_API_KEY is not set .*use an offline:… model .* \(steps "plan", "write", "polish" have no other model to fall back on\)$/,
  );
  const listed = await runCli(["runs", "list", "--json"], { home: home.path });
  assert.deepEqual(JSON.parse(listed.stdout), [], "no failed run was left behind");
});

Deno.test("writeit run reads --inputs from YAML and JSON files and rejects bad values with exit 1", async () => {
  await using home = await temporaryHome();
  await Deno.writeTextFile(
    `${home.path}/inputs.yaml`,
    "topic: Event sourcing\naudience: beginners\n",
  );
  await Deno.writeTextFile(`${home.path}/inputs.json`, JSON.stringify({ topic: "CQRS" }));
  const expected = {
    "inputs.yaml": ["Event sourcing", "beginners"],
    "inputs.json": ["CQRS", "general"],
  };
  for (const [file, [topic, audience]] of Object.entries(expected)) {
    const result = await runCli(
      ["run", "quick-article", "--inputs", `${home.path}/${file}`, "--model", "offline", "--yes"],
      { home: home.path },
    );
    assert.equal(result.code, 0, result.stderr);
    // The file's values (and the default for what it leaves out) are the run's inputs.
    const runId = /Run ([0-9a-f-]{36})/.exec(result.stderr + result.stdout)![1];
    const shown = JSON.parse(
      (await runCli(["runs", "show", runId, "--json"], { home: home.path })).stdout,
    );
    assert.deepEqual((shown.run ?? shown).userInputs, { topic, audience }, file);
  }
  const bad = await runCli(
    [
      "run",
      "quick-article",
      "--input",
      "topic=x",
      "--input",
      "audience=martians",
      "--model",
      "offline",
      "--yes",
    ],
    { home: home.path },
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /audience/);
  const malformed = await runCli(
    ["run", "quick-article", "--input", "topic", "--model", "offline", "--yes"],
    { home: home.path },
  );
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /key=value/);
});

Deno.test("writeit run --json prints only JSON objects: events, chunks and the result", async () => {
  await using home = await temporaryHome();
  const result = await runCli(
    [
      "run",
      "quick-article",
      "--input",
      "topic=Tokio",
      "--model",
      "offline",
      "--yes",
      "--json",
      "-n",
      "2",
    ],
    { home: home.path },
  );
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
  const types = new Set(lines.map((line) => line.type));
  assert.ok(types.has("event") && types.has("chunk") && types.has("result"), [...types].join(","));
  const generated = lines.filter((line) =>
    line.type === "event" && line.event.type === "step_response_generated"
  );
  assert.equal(generated.length, 6, "2 candidates × 3 steps");
  const events = lines.filter((line) => line.type === "event").map((line) => line.event);
  assert.equal(events[0].type, "run_created");
  assert.deepEqual(
    events.map((event) => event.sequence),
    events.map((_, index) => index + 1),
    "every event once, in order, from the first",
  );
  const last = lines.at(-1);
  assert.equal(last.type, "result");
  assert.equal(last.status, "completed");
  assert.ok(existsSync(last.output));
});

Deno.test("writeit branch --from prints a new run id and --yes finishes it; rewind --to sends a run back", async () => {
  await using home = await temporaryHome();
  const first = await runCli(
    ["run", "quick-article", "--input", "topic=WebAssembly", "--model", "offline", "--yes"],
    { home: home.path },
  );
  assert.equal(first.code, 0, first.stderr);
  const runId = runIdFrom(first.stderr);

  const branched = await runCli(["branch", runId, "--from", "write", "--yes"], { home: home.path });
  assert.equal(branched.code, 0, branched.stderr);
  const childId = branched.stdout.trim().split("\n")[0];
  assert.match(childId, /^[0-9a-f-]{36}$/);
  assert.notEqual(childId, runId);
  assert.match(branched.stdout, /^Article: .+\.md$/m);
  const child = JSON.parse(
    (await runCli(["export", childId, "--format", "json"], { home: home.path })).stdout,
  );
  assert.equal(child.run.parentRunId, runId);
  assert.equal(child.run.status, "completed");

  const completed = await runCli(["rewind", runId, "--to", "plan"], { home: home.path });
  assert.equal(completed.code, 1, "a completed run is branched, not rewound");
  assert.match(completed.stderr, /writeit branch/);

  const second = await runCli(["branch", runId, "--from", "polish"], { home: home.path });
  assert.equal(second.code, 0, second.stderr);
  const secondId = second.stdout.trim();
  assert.match(second.stderr, new RegExp(`writeit resume ${secondId}`));

  const typo = await runCli(["rewind", secondId, "--to", "wirte"], { home: home.path });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /did you mean "write"/);

  const rewound = await runCli(["rewind", secondId.slice(0, 13), "--to", "write", "--json"], {
    home: home.path,
  });
  assert.equal(rewound.code, 0, rewound.stderr);
  const state = JSON.parse(rewound.stdout);
  assert.equal(state.steps.plan, "completed");
  assert.equal(state.steps.write, "awaiting_selection", "write's candidates, offered again");
  const finished = await runCli(["resume", secondId, "--yes"], { home: home.path });
  assert.equal(finished.code, 0, finished.stderr);
  assert.match(finished.stdout, /completed/);
});

Deno.test("writeit run --style with an invalid primer shows the primer's own located problem", async () => {
  await using home = await temporaryHome();
  await runCli(["init"], { home: home.path });
  const file = join(home.path, "workspaces", "default", "styles", "broken.yaml");
  await Deno.writeTextFile(file, "metadata:\n  name: Broken\nvoice: [oops\n");
  const result = await runCli(
    [
      "run",
      "quick-article",
      "--yes",
      "--model",
      "offline",
      "--input",
      "topic=x",
      "--style",
      "broken",
    ],
    { home: home.path },
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Style primer "broken" at .*broken\.yaml is not valid/);
  assert.match(result.stderr, new RegExp(`${file}:\\d+:\\d+: error: Invalid YAML`));
  assert.doesNotMatch(result.stderr, /not found/);
});

Deno.test("writeit resume RUN --model continues a run that failed on its provider on another model", async () => {
  await using home = await temporaryHome();
  // The provider rejects the key: the run fails at its first step.
  const openai = startOpenAIWireServer({
    behaviours: [{
      type: "status",
      status: 401,
      body: { error: { message: "Incorrect API key" } },
    }],
  });
  try {
    const env = { OPENAI_API_KEY: "sk-revoked", OPENAI_BASE_URL: openai.url };
    const failed = await runCli(
      ["run", "quick-article", "--yes", "--input", "topic=Outages", "--input", "audience=general"],
      { home: home.path, env },
    );
    assert.equal(failed.code, 1, failed.stderr);
    const runId = runIdFrom(failed.stderr);
    const errors = failed.stderr.split("\n").filter((line) => line.startsWith("error:"));
    assert.equal(errors.length, 1, failed.stderr);
    assert.match(errors[0], new RegExp(`writeit resume ${runId} --model NAME`));

    // A model it cannot call is refused with one line, and the run is left as it was.
    const before = JSON.parse(
      (await runCli(["runs", "show", runId, "--json"], { home: home.path })).stdout,
    );
    const refused = await runCli(["resume", runId, "--model", "claude-sonnet-4", "--yes"], {
      home: home.path,
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ANTHROPIC_API_KEY/);
    const unchanged = JSON.parse(
      (await runCli(["runs", "show", runId, "--json"], { home: home.path })).stdout,
    );
    assert.equal(unchanged.version, before.version);

    // On the offline model it finishes.
    const resumed = await runCli(["resume", runId.slice(0, 8), "--model", "offline", "--yes"], {
      home: home.path,
      env,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout + resumed.stderr, /Done\. Run .* completed/);
    const run = JSON.parse(
      (await runCli(["runs", "show", runId, "--json"], { home: home.path })).stdout,
    );
    assert.equal(run.status, "completed");
    for (const id of ["plan", "write", "polish"]) {
      const picked = run.steps[id].responses[run.steps[id].userSelection];
      assert.equal(picked.provider, "offline", id);
    }
    const events = await runCli(["runs", "events", runId], { home: home.path });
    assert.match(events.stdout, /run_model_changed/);
  } finally {
    await openai.close();
  }
});

Deno.test("writeit run --estimate prints tokens and cost per step and model, needs no key, and runs nothing", async () => {
  await using home = await temporaryHome();
  const args = [
    "run",
    "quick-article",
    "--estimate",
    "--input",
    "topic=Tea",
    "--input",
    "audience=general",
  ];
  const table = await runCli(args, { home: home.path });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^STEP +MODEL +CANDIDATES +TOKENS IN +TOKENS OUT +COST$/m);
  assert.match(table.stdout, /^plan +gpt-4\.1-2025-04-14 +1 +[\d,]+ +[\d,]+ +\$0\.\d{4}$/m);
  assert.match(table.stdout, /^About [\d,]+ tokens, \$0\.\d{4}\. Nothing was run\.$/m);
  const json = await runCli([...args, "--json", "--model", "offline", "--responses", "3"], {
    home: home.path,
  });
  const estimate = JSON.parse(json.stdout);
  assert.equal(estimate.costUsd, 0);
  assert.deepEqual(
    estimate.steps.map((step: { models: { candidates: number }[] }) => step.models[0].candidates),
    [3, 3, 3],
  );
  const unknown = await runCli([...args, "--model", "acme-9000"], { home: home.path });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error: Cannot tell which provider serves model "acme-9000"/m);
  const listed = await runCli(["runs", "list", "--json"], { home: home.path });
  assert.deepEqual(JSON.parse(listed.stdout), [], "no run was created");
});
