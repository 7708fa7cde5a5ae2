/**
 * The executor end to end on real parts: the LMDB event store in a temporary
 * folder, the model provider stack (cache, usage, retry) over the offline
 * model, the seed and bundled pipelines and style primers. Covers complete
 * runs, feedback and regenerate, branch and rewind, downstream invalidation
 * with cache reuse, resume after an abort in a fresh "process", and
 * independent steps overlapping in time.
 */
import assert from "node:assert/strict";
import { ResponseCache } from "../engine/cache/response_cache.ts";
import { systemContext } from "../engine/context.ts";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { createModelProvider } from "../engine/llm/model_factory.ts";
import { emptyProviderSettings } from "../engine/llm/provider_settings.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import { FEEDBACK_HEADING } from "../engine/prompt_builder.ts";
import { RunService } from "../engine/run_service.ts";
import { loadStylePrimer, type StylePrimer } from "../engine/style_primer.ts";
import { openLmdbEventStore } from "../storage/lmdb/lmdb_event_store.ts";

const bundled = new URL("../pipelines/", import.meta.url);
const shared = new URL("./fixtures/seed-pipelines/", import.meta.url);

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

function yamlFiles(folder: URL): URL[] {
  return [...Deno.readDirSync(folder)]
    .filter((entry) => entry.isFile && /\.ya?ml$/.test(entry.name))
    .map((entry) => new URL(entry.name, folder))
    .sort((a, b) => a.href.localeCompare(b.href));
}

const PIPELINE_FILES = [...yamlFiles(new URL("templates/", shared)), ...yamlFiles(bundled)];
const PRIMERS = new Map<string, StylePrimer>();
for (
  const file of [
    ...yamlFiles(new URL("styles/", shared)),
    ...yamlFiles(new URL("styles/", bundled)),
  ]
) {
  const primer = loadStylePrimer(Deno.readTextFileSync(file), { file: file.pathname }).value;
  if (primer) PRIMERS.set(primer.primerId, primer);
}

function pipelineFrom(file: URL): Pipeline {
  const { value, issues } = loadPipeline(Deno.readTextFileSync(file), { file: file.pathname });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

/** Inputs a writer could type, for every required input. */
function sampleInputs(pipeline: Pipeline): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const input of pipeline.inputs) {
    if (!input.required || input.default !== undefined) continue;
    if (input.type === "number") inputs[input.name] = input.min ?? 1;
    else if (input.type === "boolean") inputs[input.name] = true;
    else if (input.type === "choice") inputs[input.name] = input.options[0]?.value;
    else inputs[input.name] = "Event sourcing with LMDB: append-only logs, snapshots and replay";
  }
  return inputs;
}

interface World {
  directory: string;
  open(options?: { chunkDelayMs?: number }): Promise<Process>;
  close(): Promise<void>;
}

interface Process {
  service: RunService;
  cache: ResponseCache;
  store: ReturnType<typeof openLmdbEventStore>;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-executor-" });
  return {
    directory,
    // One "process": its own store handle, cache and service on the shared folder.
    open(options = {}) {
      const context = systemContext();
      const store = openLmdbEventStore(directory, { context });
      const cache = new ResponseCache({ now: () => context.now().getTime() });
      const settings = {
        ...emptyProviderSettings(),
        offline: { chunkDelayMs: options.chunkDelayMs },
      };
      const models = createModelProvider({
        settings,
        context,
        workspace: "e2e",
        cache,
        retry: false,
      });
      const service = new RunService({
        store,
        models,
        context,
        workspace: "e2e",
        styles: (id) => PRIMERS.get(id),
        limits: { maxConcurrentCalls: 8, maxConcurrentRuns: 4 },
      });
      return Promise.resolve({
        service,
        cache,
        store,
        async close() {
          await service.close();
          await cache.close();
          await store.close();
        },
      });
    },
    async close() {
      await Deno.remove(directory, { recursive: true });
    },
  };
}

const QUICK = new URL("templates/quick-article.yaml", shared);
const QUICK_FILE = exists(QUICK) ? QUICK : new URL("quick-article.yaml", bundled);

Deno.test("Executor runs every seed and bundled pipeline end to end on the offline model", async () => {
  assert.ok(PIPELINE_FILES.length >= 3, `found ${PIPELINE_FILES.length} pipelines`);
  const w = await world();
  const p = await w.open();
  try {
    for (const file of PIPELINE_FILES) {
      const pipeline = pipelineFrom(file);
      const run = await p.service.createRun(pipeline, {
        inputs: sampleInputs(pipeline),
        modelOverride: "offline",
        styleId: pipeline.style ?? "technical-expert",
      });
      const done = await p.service.advance(run.runId, { autoSelect: true });
      assert.equal(done.status, "completed", `${file.pathname}: ${done.error ?? ""}`);
      for (const id of done.stepOrder) {
        const step = done.steps[id];
        assert.equal(step.status, "completed", `${file.pathname} ${id}`);
        assert.ok((step.selectedText ?? "").length > 100, `${file.pathname} ${id} has text`);
        assert.ok(step.responses.length >= step.models.length * step.responseCount);
      }
      assert.ok(done.usage.totalTokens > 0);
      const reloaded = await p.store.loadRun(run.runId);
      assert.equal(reloaded.version, done.version);
      assert.deepEqual(reloaded.usage, done.usage);
    }
  } finally {
    await p.close();
    await w.close();
  }
});

Deno.test("Executor: feedback then regenerate puts the feedback in the model's prompt", async () => {
  const w = await world();
  const p = await w.open();
  try {
    const pipeline = pipelineFrom(QUICK_FILE);
    const run = await p.service.createRun(pipeline, {
      inputs: { topic: "Write-ahead logs" },
      modelOverride: "offline",
    });
    let state = await p.service.advance(run.runId);
    const first = state.stepOrder[0];
    assert.equal(state.steps[first].status, "awaiting_selection");
    await p.service.addFeedback(run.runId, first, "Open with the 2011 outage story");
    await p.service.regenerate(run.runId, first);
    state = await p.service.advance(run.runId);
    const step = state.steps[first];
    assert.equal(step.generation, 1);
    assert.ok(step.prompt?.includes(FEEDBACK_HEADING));
    assert.ok(step.prompt?.includes("Open with the 2011 outage story"));
    const latest = step.responses.filter((response) => response.generation === 1);
    assert.ok(latest.length > 0);
    for (const response of latest) {
      assert.ok(response.promptUsed.includes("Open with the 2011 outage story"));
    }
    const events = await p.store.read(run.runId);
    assert.ok(events.some((event) => event.type === "step_feedback_added"));
  } finally {
    await p.close();
    await w.close();
  }
});

Deno.test("Executor: branch and rewind keep history; unchanged work comes from the cache", async () => {
  const w = await world();
  const p = await w.open();
  try {
    const pipeline = pipelineFrom(QUICK_FILE);
    const run = await p.service.createRun(pipeline, {
      inputs: { topic: "B-trees" },
      modelOverride: "offline",
    });
    const done = await p.service.advance(run.runId, { autoSelect: true });
    assert.equal(done.status, "completed");
    const missesAfterRun = p.cache.report().session.misses;
    const [first, second] = done.stepOrder;

    const child = await p.service.branch(run.runId, { fromStepId: first });
    assert.equal(child.parentRunId, run.runId);
    const shared = await p.store.read(child.runId);
    assert.equal(shared.length, done.version + 2, "the child reads the parent's history");
    assert.deepEqual(shared.slice(-2).map((event) => event.type), [
      "run_branched",
      "step_reopened",
    ]);
    const replayed = await p.service.advance(child.runId, { autoSelect: true });
    assert.equal(replayed.status, "completed");
    assert.equal(
      p.cache.report().session.misses,
      missesAfterRun,
      "no model call for unchanged prompts",
    );
    for (const id of done.stepOrder) {
      assert.equal(replayed.steps[id].selectedText, done.steps[id].selectedText);
    }

    // A new run stopped at its second step, rewound to its first: history stays in the log.
    const other = await p.service.createRun(pipeline, {
      inputs: { topic: "B-trees" },
      modelOverride: "offline",
    });
    await p.service.advance(other.runId);
    await p.service.select(other.runId, first, 0);
    let state = await p.service.advance(other.runId);
    assert.equal(state.steps[second].status, "awaiting_selection");
    const before = await p.store.read(other.runId);
    const offered = state.steps[first].responses.length;
    const missesBeforeRewind = p.cache.report().session.misses;
    state = await p.service.rewind(other.runId, first);
    assert.equal(state.steps[first].status, "awaiting_selection", "its candidates, offered again");
    assert.equal(state.steps[second].status, "stale");
    const after = await p.store.read(other.runId);
    assert.equal(after.length, before.length + 2);
    assert.deepEqual(after.slice(0, before.length).map((e) => e.id), before.map((e) => e.id));
    state = await p.service.advance(other.runId);
    assert.equal(state.steps[first].status, "awaiting_selection");
    assert.equal(state.steps[first].responses.length, offered, "no new generation on going back");
    assert.equal(p.cache.report().session.misses, missesBeforeRewind, "and no model call");
    const parent = await p.store.loadRun(run.runId);
    assert.equal(parent.version, done.version, "branching never changes the parent");
  } finally {
    await p.close();
    await w.close();
  }
});

Deno.test("Executor: an edit makes later steps stale and only changed prompts reach the model", async () => {
  const w = await world();
  const p = await w.open();
  try {
    const pipeline = pipelineFrom(QUICK_FILE);
    const run = await p.service.createRun(pipeline, {
      inputs: { topic: "Raft" },
      modelOverride: "offline",
    });
    const done = await p.service.advance(run.runId, { autoSelect: true });
    const [first, second, third] = done.stepOrder;
    const misses = p.cache.report().session.misses;
    // The run is complete: branch from the second step, then edit the first in the branch.
    const child = await p.service.branch(run.runId, { fromStepId: second });
    let state = await p.service.edit(
      child.runId,
      first,
      "# A hand-written plan\n\nHook, three points, conclusion.",
    );
    assert.equal(state.steps[second].status, "stale", "the branch point's candidates are stale");
    assert.equal(state.steps[third].status, "stale");
    state = await p.service.advance(child.runId, { autoSelect: true });
    assert.equal(state.status, "completed");
    assert.ok(state.steps[second].prompt?.includes("A hand-written plan"));
    const asked = p.cache.report().session.misses - misses;
    assert.equal(asked, 2, "the second and third steps changed; nothing else was asked");
  } finally {
    await p.close();
    await w.close();
  }
});

Deno.test("Executor: a run aborted mid-generation resumes in a new process without duplicates", async () => {
  const w = await world();
  let p = await w.open({ chunkDelayMs: 3 });
  try {
    const pipeline = pipelineFrom(QUICK_FILE);
    const run = await p.service.createRun(pipeline, {
      inputs: { topic: "Fsync" },
      modelOverride: "offline",
      responses: 3,
    });
    const controller = new AbortController();
    let generated = 0;
    const stopped = await p.service.advance(run.runId, {
      signal: controller.signal,
      onUpdate: (update) => {
        if (update.type === "event" && update.event.type === "step_response_generated") {
          generated++;
          controller.abort();
        }
      },
    });
    const first = stopped.stepOrder[0];
    assert.equal(generated, 1);
    assert.equal(stopped.steps[first].status, "running");
    const kept = stopped.steps[first].responses.map((r) => r.responseId);
    await p.close();

    p = await w.open();
    const resumed = await p.service.advance(run.runId, { autoSelect: true });
    assert.equal(resumed.status, "completed");
    const step = resumed.steps[first];
    const generation0 = step.responses.filter((r) => r.generation === 0);
    assert.equal(generation0.length, 3);
    assert.deepEqual(generation0.map((r) => r.candidateIndex).sort(), [0, 1, 2]);
    assert.ok(kept.every((id) => step.responses.some((r) => r.responseId === id)));
    const events: EventEnvelope[] = await p.store.read(run.runId);
    const ids = events.map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length, "no duplicate events");
    assert.deepEqual(events.map((event) => event.sequence), events.map((_, index) => index + 1));
    const generatedForFirst = events.filter((event) =>
      event.type === "step_response_generated" && event.data.stepId === first
    );
    assert.equal(generatedForFirst.length, 3);
  } finally {
    await p.close();
    await w.close();
  }
});

Deno.test("Executor: independent steps overlap in time", async () => {
  const w = await world();
  const p = await w.open({ chunkDelayMs: 1 });
  try {
    const { value: pipeline } = loadPipeline(
      `
metadata:
  name: Diamond
defaults:
  model: "offline:writer"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  brief:
    name: Brief
    prompt_template: "Brief on {{ inputs.topic }}"
  research:
    name: Research
    prompt_template: "Research {{ steps.brief }}"
  audience:
    name: Audience
    prompt_template: "Audience for {{ steps.brief }}"
    depends_on: [brief]
  outline:
    name: Outline
    prompt_template: "Outline {{ steps.research }} {{ steps.audience }}"
    depends_on: [research, audience]
`,
      { id: "diamond" },
    );
    const run = await p.service.createRun(pipeline!, { inputs: { topic: "Gossip" } });
    const done = await p.service.advance(run.runId, { autoSelect: true });
    assert.equal(done.status, "completed");
    const started = (id: string) => Date.parse(done.steps[id].startedAt!);
    const completed = (id: string) => Date.parse(done.steps[id].completedAt!);
    assert.ok(started("audience") < completed("research"));
    assert.ok(started("research") < completed("audience"));
    assert.ok(started("outline") >= Math.max(completed("research"), completed("audience")));
  } finally {
    await p.close();
    await w.close();
  }
});
