/**
 * RunService with the in-memory event store and the offline model: driving
 * runs, human actions, invalidation with cache reuse, crash resume, leases,
 * concurrency and streaming.
 */
import assert from "node:assert/strict";
import { ResponseCache } from "./cache/response_cache.ts";
import { cacheMiddleware } from "./cache/cache_middleware.ts";
import { systemContext } from "./context.ts";
import {
  BudgetExceededError,
  ConfigurationError,
  ConflictError,
  ProviderError,
  ValidationError,
} from "./errors.ts";
import { MemoryEventStore } from "./events/memory_event_store.ts";
import type { LanguageModel, ModelRequest, ModelStreamPart } from "./llm/language_model.ts";
import { createOfflineModel } from "./llm/offline_model.ts";
import { loadPipeline } from "./pipeline_loader.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import { FEEDBACK_HEADING } from "./prompt_builder.ts";
import { RunService } from "./run_service.ts";
import { StaleActionError } from "./stale_action.ts";
import type { ModelSource, RunServiceOptions } from "./run_service_options.ts";
import type { RunUpdate } from "./run_update.ts";
import { loadStylePrimer } from "./style_primer.ts";

const THREE_STEPS = `
metadata:
  name: "Three steps"
  version: "1.0.0"
defaults:
  model: "offline:writer"
inputs:
  topic:
    type: text
    label: Topic
    required: true
  audience:
    type: choice
    label: Audience
    default: general
    options:
      - value: general
        label: General
      - value: experts
        label: Experts
steps:
  plan:
    name: Plan
    prompt_template: "Plan an article about {{ inputs.topic }} for {{ inputs.audience }}."
    response_count: 2
  draft:
    name: Draft
    prompt_template: "Write a draft from this plan:\\n{{ steps.plan.selected_response }}"
    validation:
      min_response_length: 50
  polish:
    name: Polish
    prompt_template: "Polish this draft:\\n{{ steps.draft.selected_response }}"
`;

const PARALLEL = `
metadata:
  name: "Parallel"
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
    depends_on: [brief]
  audience_map:
    name: Audience map
    prompt_template: "Audiences for {{ steps.brief }}"
    depends_on: [brief]
  outline:
    name: Outline
    prompt_template: "Outline from {{ steps.research }} and {{ steps.audience_map }}"
    depends_on: [research, audience_map]
`;

export function pipelineOf(text: string, id = "test"): Pipeline {
  const { value, issues } = loadPipeline(text, { id });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

/** Counts calls that reach the model (below the cache) and tracks overlap. */
class Probe {
  calls = 0;
  active = 0;
  maxActive = 0;
  requests: ModelRequest[] = [];

  wrap(model: LanguageModel, latencyMs = 0): LanguageModel {
    const enter = (request: ModelRequest) => {
      this.calls++;
      this.requests.push(request);
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
    };
    const leave = () => {
      this.active--;
    };
    return {
      provider: model.provider,
      modelId: model.modelId,
      async *stream(request, options): AsyncIterable<ModelStreamPart> {
        enter(request);
        try {
          if (latencyMs > 0) await sleep(latencyMs, options?.signal);
          yield* model.stream(request, options);
        } finally {
          leave();
        }
      },
    };
  }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

interface Harness {
  service: RunService;
  store: MemoryEventStore;
  probe: Probe;
  cache: ResponseCache;
  close(): Promise<void>;
}

function harness(
  options: Partial<RunServiceOptions> & { latencyMs?: number; chunkDelayMs?: number } = {},
): Harness {
  const context = systemContext();
  const store = new MemoryEventStore({ context });
  const probe = new Probe();
  const cache = new ResponseCache({ now: () => context.now().getTime() });
  const cached = cacheMiddleware(cache, { namespace: "test" });
  const made = new Map<string, LanguageModel>();
  const models: ModelSource = {
    resolve(name) {
      let model = made.get(name);
      if (!model) {
        const modelId = name.startsWith("offline:") ? name.slice("offline:".length) : name;
        model = cached(
          probe.wrap(
            createOfflineModel({ modelId, chunkDelayMs: options.chunkDelayMs }),
            options.latencyMs,
          ),
        );
        made.set(name, model);
      }
      return model;
    },
  };
  const service = new RunService({
    store,
    models,
    context,
    workspace: "test",
    limits: { maxConcurrentCalls: 16, maxConcurrentRuns: 8 },
    ...options,
  });
  return {
    service,
    store,
    probe,
    cache,
    async close() {
      await service.close();
      await cache.close();
      await store.close();
    },
  };
}

Deno.test("RunService.createRun() lists every input problem", async () => {
  const h = harness();
  try {
    const pipeline = pipelineOf(THREE_STEPS);
    await assert.rejects(
      () => h.service.createRun(pipeline, { inputs: { audience: "expert", extra: "x" } }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        const paths = error.issues.map((issue) => issue.path);
        assert.ok(paths.includes("inputs.topic"), paths.join());
        assert.ok(paths.includes("inputs.audience"), paths.join());
        assert.ok(paths.includes("inputs.extra"), paths.join());
        return true;
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() with autoSelect runs a pipeline to completion", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "CRDTs" } });
    assert.equal(run.status, "initializing");
    assert.equal(run.userInputs.audience, "general");
    const done = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(done.status, "completed");
    assert.equal(done.steps.plan.responses.length, 2);
    for (const id of ["plan", "draft", "polish"]) {
      assert.equal(done.steps[id].status, "completed");
      assert.ok((done.steps[id].selectedText ?? "").length > 0);
    }
    assert.ok(done.steps.draft.prompt?.includes(done.steps.plan.selectedText!));
    const stepTokens = ["plan", "draft", "polish"].reduce(
      (sum, id) => sum + done.steps[id].usage.totalTokens,
      0,
    );
    assert.ok(stepTokens > 0);
    assert.equal(done.usage.totalTokens, stepTokens);
    assert.equal(h.probe.calls, 4);
  } finally {
    await h.close();
  }
});

/** A step the offline model cannot satisfy: its skeleton is longer than 120 characters. */
const TIGHT = `
metadata:
  name: "Tight"
defaults:
  model: "offline:writer"
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
  after:
    name: After
    prompt_template: "Expand {{ steps.note.selected_response }}"
`;

Deno.test("RunService.advance() with autoSelect pauses at a step with no valid candidate, naming each failed check", async () => {
  const h = harness();
  try {
    // Given a run whose first step's candidates all fail validation
    const run = await h.service.createRun(pipelineOf(TIGHT), { inputs: { topic: "tea" } });
    // When it is driven with auto-selection
    const stopped = await h.service.advance(run.runId, { autoSelect: true });
    // Then nothing is picked: the run is paused at that step, with the reason
    assert.equal(stopped.status, "paused");
    assert.equal(stopped.pausedStep, "note");
    assert.equal(stopped.steps.note.status, "awaiting_selection");
    assert.equal(stopped.steps.note.userSelection, undefined);
    assert.equal(stopped.steps.after.status, "pending");
    assert.equal(stopped.steps.note.responses.length, 2);
    assert.ok(stopped.steps.note.responses.every((response) => !response.validation.passed));
    assert.match(
      stopped.pauseReason ?? "",
      /^Step "note" has no candidate that passes validation: \[1\] offline:writer #\d longer than 120 characters \(\d+\); \[2\] offline:writer #\d longer than 120 characters \(\d+\)$/,
    );
    const events = await h.store.read(run.runId);
    assert.deepEqual(
      events.filter((event) => event.type === "run_paused").map((event) => event.data),
      [{ reason: stopped.pauseReason, stepId: "note" }],
    );
    assert.ok(!events.some((event) => event.type === "step_response_selected"));

    // When it is resumed and driven again: it stops again, still picking nothing
    await h.service.resume(run.runId);
    const again = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(again.status, "paused");
    assert.equal(again.steps.note.userSelection, undefined);

    // When it is resumed and driven accepting invalid candidates: the first is used, the run ends
    const resumed = await h.service.resume(run.runId);
    assert.equal(resumed.pauseReason, undefined);
    const done = await h.service.advance(run.runId, { autoSelect: true, acceptInvalid: true });
    assert.equal(done.status, "completed");
    assert.equal(done.steps.note.userSelection, 0);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance(): a step that only auto-approves waits for a choice when no candidate is valid", async () => {
  const h = harness();
  try {
    // Given an auto-approving step whose candidates all fail validation, in a run without autoSelect
    const pipeline = pipelineOf(
      TIGHT.replace("    response_count: 2\n", "    auto_approve: true\n"),
    );
    const run = await h.service.createRun(pipeline, { inputs: { topic: "tea" } });
    // When it is driven
    const state = await h.service.advance(run.runId);
    // Then the step waits for a person and the run is not paused
    assert.equal(state.status, "running");
    assert.equal(state.steps.note.status, "awaiting_selection");
    assert.equal(state.pausedStep, undefined);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() stops for a human and select() continues", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Rust" } });
    let state = await h.service.advance(run.runId);
    assert.equal(state.status, "running");
    assert.equal(state.steps.plan.status, "awaiting_selection");
    assert.equal(state.steps.draft.status, "pending");
    const [first, second] = [...state.steps.plan.responses].sort((a, b) =>
      a.candidateIndex - b.candidateIndex
    );
    assert.notEqual(first.processedContent, second.processedContent);
    assert.deepEqual([first.candidateIndex, second.candidateIndex], [0, 1]);
    state = await h.service.select(run.runId, "plan", second.responseId);
    assert.equal(state.steps.plan.status, "completed");
    assert.equal(state.steps.plan.selectedText, second.processedContent);
    state = await h.service.advance(run.runId);
    assert.equal(state.steps.draft.status, "awaiting_selection");
    assert.ok(state.steps.draft.prompt?.includes(second.processedContent));
    await h.service.select(run.runId, "draft", 0);
    await h.service.advance(run.runId);
    await h.service.select(run.runId, "polish", 0);
    state = await h.service.advance(run.runId);
    assert.equal(state.status, "completed");
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() runs independent steps concurrently", async () => {
  const h = harness({ latencyMs: 40 });
  try {
    const run = await h.service.createRun(pipelineOf(PARALLEL), { inputs: { topic: "Raft" } });
    const started: Record<string, number> = {};
    const finished: Record<string, number> = {};
    const done = await h.service.advance(run.runId, {
      autoSelect: true,
      onUpdate: (update) => {
        if (update.type !== "event") return;
        const event = update.event;
        if (event.type === "step_started") started[event.data.stepId] = performance.now();
        if (event.type === "step_completed") finished[event.data.stepId] = performance.now();
      },
    });
    assert.equal(done.status, "completed");
    assert.equal(h.probe.maxActive, 2);
    assert.ok(
      started.audience_map < finished.research,
      "audience_map started before research ended",
    );
    assert.ok(
      started.research < finished.audience_map,
      "research started before audience_map ended",
    );
    assert.ok(started.outline >= Math.max(finished.research, finished.audience_map));
  } finally {
    await h.close();
  }
});

Deno.test("RunService keeps model calls under the global limit", async () => {
  const h = harness({ latencyMs: 20, limits: { maxConcurrentCalls: 2, maxConcurrentRuns: 8 } });
  try {
    const pipeline = pipelineOf(THREE_STEPS);
    const runs = await Promise.all(
      ["a", "b", "c"].map((topic) => h.service.createRun(pipeline, { inputs: { topic } })),
    );
    const states = await Promise.all(
      runs.map((run) => h.service.advance(run.runId, { autoSelect: true })),
    );
    assert.ok(states.every((state) => state.status === "completed"));
    assert.equal(h.probe.maxActive, 2);
    assert.equal(h.probe.calls, 12);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.addFeedback() reaches the regenerated prompt with new candidates", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Go" } });
    let state = await h.service.advance(run.runId);
    const before = state.steps.plan.responses.map((r) => r.processedContent);
    await h.service.addFeedback(run.runId, "plan", "Make the title shorter");
    await h.service.addFeedback(run.runId, "plan", "Mention goroutines");
    state = await h.service.regenerate(run.runId, "plan");
    assert.equal(state.steps.plan.status, "pending");
    state = await h.service.advance(run.runId);
    const plan = state.steps.plan;
    assert.equal(plan.generation, 1);
    assert.ok(plan.prompt?.includes(FEEDBACK_HEADING));
    assert.ok(plan.prompt?.includes("Make the title shorter"));
    assert.ok(plan.prompt?.includes("Mention goroutines"));
    const last = h.probe.requests.at(-1)!;
    assert.ok(last.messages.at(-1)!.content.includes("Mention goroutines"));
    assert.equal(last.variant, 1);
    const current = plan.responses.filter((r) => r.generation === 1);
    assert.equal(current.length, 2);
    assert.equal(plan.responses.length, 4);
    for (const response of current) assert.ok(!before.includes(response.processedContent));
    const events = await h.store.read(run.runId);
    const retried = events.find((event) => event.type === "step_retried");
    assert.equal(retried?.type === "step_retried" && retried.data.reason, "feedback");
  } finally {
    await h.close();
  }
});

Deno.test("RunService: a regenerate without feedback bypasses the cache", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Zig" } });
    await h.service.advance(run.runId);
    const calls = h.probe.calls;
    await h.service.regenerate(run.runId, "plan");
    const state = await h.service.advance(run.runId);
    assert.equal(h.probe.calls, calls + 2, "both candidates were asked again");
    const texts = state.steps.plan.responses.map((r) => r.processedContent);
    assert.equal(new Set(texts).size, 4);
  } finally {
    await h.close();
  }
});

Deno.test("RunService: the style primer reaches the system prompt", async () => {
  const primerText = await Deno.readTextFile(
    new URL("../tests/fixtures/seed-pipelines/styles/technical-expert.yaml", import.meta.url),
  );
  const primer = loadStylePrimer(primerText, { file: "technical-expert.yaml" }).value!;
  const h = harness({ styles: (id) => (id === "technical-expert" ? primer : undefined) });
  try {
    const pipeline = pipelineOf(THREE_STEPS.replace(
      `  polish:\n    name: Polish\n    prompt_template: "Polish this draft:\\n{{ steps.draft.selected_response }}"`,
      `  polish:\n    name: Polish\n    prompt_template: "Polish in a {{ style.voice.tone }} tone:\\n{{ steps.draft.selected_response }}"`,
    ));
    const run = await h.service.createRun(pipeline, {
      inputs: { topic: "LMDB" },
      styleId: "technical-expert",
    });
    assert.equal(run.styleId, "technical-expert");
    const done = await h.service.advance(run.runId, { autoSelect: true });
    assert.ok(done.steps.plan.systemPrompt?.includes("Technical Expert"));
    const system = h.probe.requests[0].messages[0];
    assert.equal(system.role, "system");
    assert.ok(system.content.includes("Technical Expert"));
    assert.equal(done.steps.polish.systemPrompt, undefined, "the template already reads style");
    assert.ok(done.steps.polish.prompt?.includes(primer.voiceAttributes.tone));
    await assert.rejects(
      () => h.service.createRun(pipeline, { inputs: { topic: "x" }, styleId: "missing" }),
      /Style primer "missing" was not found/,
    );
  } finally {
    await h.close();
  }
});

Deno.test("RunService: rewind re-runs later steps from the cache and keeps choices", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Kafka" } });
    const first = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(first.status, "completed");
    const calls = h.probe.calls;
    const branch = await h.service.branch(run.runId, { fromStepId: "plan" });
    assert.equal(branch.parentRunId, run.runId);
    assert.equal(
      branch.steps.plan.status,
      "awaiting_selection",
      "plan's candidates, offered again",
    );
    assert.equal(branch.steps.plan.generation, 0, "no new generation");
    assert.equal(branch.steps.draft.status, "stale");
    const again = await h.service.advance(branch.runId, { autoSelect: true });
    assert.equal(again.status, "completed");
    assert.equal(h.probe.calls, calls, "unchanged prompts cost no model call");
    assert.equal(again.steps.plan.responses.length, first.steps.plan.responses.length);
    assert.equal(again.steps.polish.selectedText, first.steps.polish.selectedText);
    const cachedResponses = again.steps.draft.responses.filter((r) => r.cached);
    assert.equal(cachedResponses.length, 1);
    const parent = await h.service.loadRun(run.runId);
    assert.equal(parent.status, "completed");
    assert.equal(parent.version, first.version);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.edit() marks later steps stale and advance re-runs only what changed", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(PARALLEL), { inputs: { topic: "Paxos" } });
    await h.service.advance(run.runId);
    await h.service.select(run.runId, "brief", 0);
    await h.service.advance(run.runId);
    await h.service.select(run.runId, "research", 0);
    await h.service.select(run.runId, "audience_map", 0);
    let state = await h.service.advance(run.runId);
    assert.equal(state.steps.outline.status, "awaiting_selection");
    const calls = h.probe.calls;
    state = await h.service.edit(run.runId, "research", "Research notes, written by hand.");
    assert.equal(state.steps.research.status, "completed");
    assert.equal(state.steps.outline.status, "stale");
    assert.equal(state.steps.audience_map.status, "completed");
    state = await h.service.advance(run.runId);
    assert.equal(h.probe.calls, calls + 1, "only the outline was asked again");
    assert.equal(state.steps.outline.status, "awaiting_selection");
    assert.ok(state.steps.outline.prompt?.includes("Research notes, written by hand."));
    // Selecting the same text again: nothing downstream changes.
    state = await h.service.select(run.runId, "outline", state.steps.outline.responses.length - 1);
    state = await h.service.advance(run.runId);
    assert.equal(state.status, "completed");
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() resumes an aborted generation without duplicates", async () => {
  const h = harness({ chunkDelayMs: 2 });
  try {
    const pipeline = pipelineOf(THREE_STEPS.replace("response_count: 2", "response_count: 3"));
    const run = await h.service.createRun(pipeline, { inputs: { topic: "SQLite" } });
    const controller = new AbortController();
    let recorded = 0;
    const stopped = await h.service.advance(run.runId, {
      signal: controller.signal,
      onUpdate: (update) => {
        if (update.type === "event" && update.event.type === "step_response_generated") {
          recorded++;
          controller.abort();
        }
      },
    });
    assert.equal(recorded, 1);
    assert.equal(stopped.steps.plan.status, "running");
    assert.equal(stopped.steps.plan.responses.length, 1);
    const kept = stopped.steps.plan.responses[0];
    const resumed = await h.service.advance(run.runId);
    const plan = resumed.steps.plan;
    assert.equal(plan.status, "awaiting_selection");
    assert.equal(plan.responses.length, 3);
    assert.equal(plan.responses[0].responseId, kept.responseId);
    assert.deepEqual(plan.responses.map((r) => r.candidateIndex).sort(), [0, 1, 2]);
    const events = await h.store.read(run.runId);
    const generated = events.filter((event) => event.type === "step_response_generated");
    assert.equal(generated.length, 3);
    assert.ok(
      events.some((event) => event.type === "step_retried" && event.data.reason === "resume"),
    );
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() finishes a generation a killed process left running", async () => {
  const h = harness();
  try {
    const pipeline = pipelineOf(THREE_STEPS);
    const run = await h.service.createRun(pipeline, { inputs: { topic: "Redis" } });
    // A process that died after starting the step: only its events remain.
    let state = await h.store.loadRun(run.runId);
    await h.store.append(run.runId, [{ type: "run_started", data: {} }, {
      type: "step_started",
      data: {
        stepId: "plan",
        generation: 0,
        prompt: "Plan an article about Redis for general.",
        models: ["offline:writer"],
        responseCount: 2,
      },
    }], { expectedVersion: state.version });
    state = await h.service.advance(run.runId);
    assert.equal(state.steps.plan.status, "awaiting_selection");
    assert.equal(state.steps.plan.responses.length, 2);
    assert.equal(h.probe.calls, 2);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.advance() refuses a second driver with run_leased", async () => {
  const h = harness({ latencyMs: 30 });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Lua" } });
    const first = h.service.advance(run.runId, { autoSelect: true });
    await assert.rejects(
      () => h.service.advance(run.runId),
      (error: unknown) => error instanceof ConflictError && error.code === "run_leased",
    );
    assert.equal((await first).status, "completed");
  } finally {
    await h.close();
  }
});

Deno.test("RunService: two services driving one run never duplicate candidates", async () => {
  const h = harness({ latencyMs: 10 });
  const other = new RunService({
    store: h.store,
    models: {
      resolve: (name) =>
        h.probe.wrap(createOfflineModel({ modelId: name.replace("offline:", "") }), 10),
    },
    context: systemContext(),
    workspace: "test",
  });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Elm" } });
    const [a, b] = await Promise.allSettled([
      h.service.advance(run.runId, { autoSelect: true }),
      other.advance(run.runId, { autoSelect: true }),
    ]);
    assert.ok(a.status === "fulfilled" || b.status === "fulfilled");
    const state = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(state.status, "completed");
    for (const id of state.stepOrder) {
      const step = state.steps[id];
      const slots = step.responses.map((r) => `${r.generation}:${r.candidateIndex}`);
      assert.equal(new Set(slots).size, slots.length, `no duplicate slot in ${id}`);
    }
  } finally {
    await other.close();
    await h.close();
  }
});

Deno.test("RunService.pause() stops advance; resume() and advance() finish", async () => {
  const h = harness({ latencyMs: 30 });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Nim" } });
    const driving = h.service.advance(run.runId, { autoSelect: true });
    await sleep(10);
    const paused = await h.service.pause(run.runId, { reason: "lunch" });
    assert.equal(paused.status, "paused");
    const stopped = await driving;
    assert.equal(stopped.status, "paused");
    assert.equal((await h.service.advance(run.runId)).status, "paused");
    await h.service.resume(run.runId);
    const done = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(done.status, "completed");
    assert.equal(done.steps.plan.responses.length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.cancel() stops the run for good", async () => {
  const h = harness({ latencyMs: 30 });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "OCaml" } });
    const driving = h.service.advance(run.runId, { autoSelect: true });
    await sleep(10);
    await h.service.cancel(run.runId);
    assert.equal((await driving).status, "cancelled");
    await assert.rejects(() => h.service.resume(run.runId), /cancelled/);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.merge() adds a selected merge candidate", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Deno" } });
    let state = await h.service.advance(run.runId);
    const ids = state.steps.plan.responses.map((r) => r.responseId);
    const chunks: string[] = [];
    state = await h.service.merge(run.runId, "plan", ids, {
      instructions: "Keep the title of the first",
      onUpdate: (update) => {
        if (update.type === "chunk") chunks.push(update.text);
      },
    });
    const merged = state.steps.plan.responses.at(-1)!;
    assert.equal(merged.origin, "merge");
    assert.deepEqual(merged.sourceResponseIds, ids);
    assert.equal(state.steps.plan.selectedText, merged.processedContent);
    assert.ok(merged.promptUsed.includes("Keep the title of the first"));
    assert.equal(chunks.join(""), merged.processedContent, "the merged text is kept byte for byte");
    state = await h.service.accept(run.runId, "plan");
    assert.equal(state.steps.plan.status, "completed");
    await assert.rejects(() => h.service.merge(run.runId, "plan", [ids[0]]), /at least two/);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.skip() lets later steps run with an empty result", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "F#" } });
    await h.service.skip(run.runId, "plan", { reason: "not needed" });
    const state = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(state.status, "completed");
    assert.equal(state.steps.plan.status, "skipped");
    assert.equal(state.steps.plan.responses.length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("RunService: an offline override keeps one labelled set per original model", async () => {
  const h = harness();
  try {
    const pipeline = pipelineOf(`
metadata:
  name: Side by side
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  compare:
    name: Compare
    prompt_template: "Compare databases"
    models: ["gpt-4.1", "claude-sonnet-4"]
    response_count: 2
`);
    const run = await h.service.createRun(pipeline, {
      inputs: { topic: "t" },
      modelOverride: "offline",
    });
    const state = await h.service.advance(run.runId);
    const step = state.steps.compare;
    assert.deepEqual(step.models, ["offline:gpt-4.1", "offline:claude-sonnet-4"]);
    assert.equal(step.responses.length, 4);
    const labels = step.responses.map((r) => `${r.modelName}#${r.candidateIndex}`).sort();
    assert.deepEqual(labels, [
      "offline:claude-sonnet-4#0",
      "offline:claude-sonnet-4#1",
      "offline:gpt-4.1#0",
      "offline:gpt-4.1#1",
    ]);
    assert.equal(new Set(step.responses.map((r) => r.processedContent)).size, 4);
    const single = await h.service.createRun(pipeline, {
      inputs: { topic: "t" },
      modelOverride: "offline:x",
      responses: 1,
    });
    const other = await h.service.advance(single.runId);
    assert.deepEqual(other.steps.compare.models, ["offline:gpt-4.1", "offline:claude-sonnet-4"]);
    assert.equal(other.steps.compare.responses.length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.subscribe() streams chunks batched by the buffer size", async () => {
  const h = harness({ streamingBufferSize: 40 });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "WASM" } });
    const updates: RunUpdate[] = [];
    const stop = h.service.subscribe(run.runId, (update) => updates.push(update));
    const state = await h.service.advance(run.runId);
    stop();
    const chunks = updates.filter((u) => u.type === "chunk");
    for (const candidate of state.steps.plan.responses) {
      const mine = chunks.filter((c) => c.candidateIndex === candidate.candidateIndex);
      assert.ok(mine.length > 1);
      assert.equal(mine.map((c) => c.text).join(""), candidate.rawOutput);
      for (const chunk of mine.slice(0, -1)) assert.ok(chunk.text.length >= 40);
      assert.ok(mine.every((c) => c.model === "offline:writer" && c.stepId === "plan"));
    }
    const types = updates.filter((u) => u.type === "event").map((u) =>
      u.type === "event" && u.event.type
    );
    assert.ok(types.includes("run_started"));
    assert.ok(types.includes("step_response_generated"));
  } finally {
    await h.close();
  }
});

Deno.test("RunService flags candidates that fail validation and, accepting invalid ones, auto-selects the first", async () => {
  const h = harness();
  try {
    const pipeline = pipelineOf(`
metadata:
  name: Checks
defaults:
  model: "offline:writer"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  short:
    name: Short
    prompt_template: "Write about tea"
    response_count: 2
    validation:
      max_response_length: 40
`);
    const run = await h.service.createRun(pipeline, { inputs: { topic: "t" } });
    const state = await h.service.advance(run.runId, { autoSelect: true, acceptInvalid: true });
    const step = state.steps.short;
    assert.ok(step.responses.every((r) => !r.validation.passed));
    assert.match(
      step.responses[0].validation.reasons.join("; "),
      /^longer than 40 characters \(\d+\)$/,
    );
    const chosen = step.responses[step.userSelection!];
    assert.equal(chosen.candidateIndex, 0, "none passes: the first is picked");
    assert.equal(state.status, "completed");
  } finally {
    await h.close();
  }
});

Deno.test("RunService surfaces a budget refusal as a failed run with its message", async () => {
  const context = systemContext();
  const store = new MemoryEventStore({ context });
  const refusing: LanguageModel = {
    provider: "offline",
    modelId: "writer",
    // deno-lint-ignore require-yield
    async *stream() {
      throw new BudgetExceededError("Calling offline:writer would go over the budget of $0.0100", {
        limitUsd: 0.01,
        projectedUsd: 0.02,
      });
    },
  };
  const service = new RunService({
    store,
    models: { resolve: () => refusing },
    context,
    workspace: "t",
  });
  try {
    const run = await service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "x" } });
    const state = await service.advance(run.runId, { autoSelect: true });
    assert.equal(state.status, "error");
    assert.match(state.error ?? "", /over the budget/);
    assert.equal(state.steps.plan.status, "failed");
  } finally {
    await service.close();
    await store.close();
  }
});

Deno.test("RunService: a step that failed before it started starts afresh once the cause is fixed", async () => {
  const primerText = await Deno.readTextFile(
    new URL("../tests/fixtures/seed-pipelines/styles/technical-expert.yaml", import.meta.url),
  );
  const primer = loadStylePrimer(primerText, { file: "technical-expert.yaml" }).value!;
  let available = true;
  const h = harness({ styles: (id) => (available && id === "mine" ? primer : undefined) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const pipeline = pipelineOf(THREE_STEPS);
    const run = await h.service.createRun(pipeline, { inputs: { topic: "LMDB" }, styleId: "mine" });
    available = false; // the primer file went away after the run was created
    const failed = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(failed.status, "error");
    assert.equal(failed.steps.plan.status, "failed");
    assert.match(failed.steps.plan.error ?? "", /mine/);

    available = true;
    await h.service.resume(run.runId);
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("advance did not finish within 10 s")), 10_000);
    });
    const done = await Promise.race([h.service.advance(run.runId, { autoSelect: true }), hang]);
    assert.equal(done.status, "completed");
    assert.ok(done.steps.plan.prompt?.includes("LMDB"));
    const retried = (await h.store.read(run.runId)).filter((event) =>
      event.type === "step_retried"
    );
    assert.equal(retried.length, 0, "nothing to resume: the step started anew");
  } finally {
    clearTimeout(timer);
    await h.close();
  }
});

Deno.test("RunService refuses an action decided on an older version when someone else decided since, and writes nothing", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Rust" } });
    const created = run.version;
    let state = await h.service.advance(run.runId);
    assert.equal(state.steps.plan.status, "awaiting_selection");
    const seen = state.version;
    assert.ok(seen > created, "candidates arrived");
    // Candidates streaming in are not decisions: an action decided before them still goes.
    await h.service.addFeedback(run.runId, "plan", "More on ownership.", {
      basedOn: created,
      actor: "cli",
    });
    const afterFeedback = (await h.service.loadRun(run.runId)).version;
    // The dashboard picks candidate 2 on what it saw; the CLI then picks 1 on the same version.
    await h.service.select(run.runId, "plan", 1, { basedOn: afterFeedback, actor: "dashboard" });
    const head = (await h.store.read(run.runId)).length;
    await assert.rejects(
      () => h.service.select(run.runId, "plan", 0, { basedOn: afterFeedback, actor: "cli" }),
      (error: unknown) => {
        assert.ok(error instanceof StaleActionError);
        assert.ok(error instanceof ConflictError);
        assert.equal(error.code, "stale_action");
        assert.match(
          error.message,
          /^plan: candidate 2 was picked from the dashboard since you looked/,
        );
        assert.equal(error.details.basedOn, afterFeedback);
        assert.ok(error.details.version > afterFeedback);
        return true;
      },
    );
    assert.equal((await h.store.read(run.runId)).length, head, "nothing was written");
    for (
      const act of [
        () => h.service.edit(run.runId, "plan", "Mine", { basedOn: afterFeedback }),
        () => h.service.regenerate(run.runId, "plan", { basedOn: afterFeedback }),
        () => h.service.skip(run.runId, "plan", { basedOn: afterFeedback }),
        () => h.service.rewind(run.runId, "plan", { basedOn: afterFeedback }),
        () => h.service.branch(run.runId, { fromStepId: "plan", basedOn: afterFeedback }),
        () => h.service.merge(run.runId, "plan", ["a", "b"], { basedOn: afterFeedback }),
      ]
    ) await assert.rejects(act, StaleActionError);
    assert.equal((await h.store.read(run.runId)).length, head, "still nothing was written");
    // A decision on another step does not make an action on this one stale.
    state = await h.service.advance(run.runId);
    assert.equal(state.steps.draft.status, "awaiting_selection");
    const onDraft = state.version;
    await h.service.addFeedback(run.runId, "plan", "Noted for later.", { actor: "dashboard" });
    state = await h.service.select(run.runId, "draft", 0, { basedOn: onDraft, actor: "cli" });
    assert.equal(state.steps.draft.status, "completed");
    // Decided on the current version: goes.
    await h.service.advance(run.runId);
    const now = (await h.service.loadRun(run.runId)).version;
    state = await h.service.select(run.runId, "polish", 0, { basedOn: now });
    assert.equal(state.steps.polish.status, "completed");
  } finally {
    await h.close();
  }
});

Deno.test("RunService.createRun() refuses a run whose steps have no model they can call, before anything is written", async () => {
  const keyless = (name: string) => {
    if (!name.startsWith("offline:")) {
      throw new ConfigurationError(`ACME_KEY is not set (needed for "${name}"): export it`, {
        code: "missing_api_key",
      });
    }
  };
  const h = harness();
  const models = h.service;
  try {
    const text = (preference: string) => `
metadata: { name: "Keys" }
inputs:
  topic: { type: text, required: true }
steps:
  plan: { prompt_template: "Plan {{ inputs.topic }}", model_preference: ${preference} }
  draft: { prompt_template: "Draft {{ steps.plan }}", model_preference: ${preference} }
  polish: { prompt_template: "Polish {{ steps.draft }}", model_preference: ${preference} }
`;
    const inner: ModelSource = {
      resolve(name) {
        keyless(name);
        return createOfflineModel({ modelId: name.slice("offline:".length) });
      },
    };
    const service = new RunService({
      store: h.store,
      models: inner,
      context: systemContext(),
      workspace: "test",
      limits: { maxConcurrentCalls: 4, maxConcurrentRuns: 2 },
    });
    await assert.rejects(
      () => service.createRun(pipelineOf(text('["acme:big"]')), { inputs: { topic: "Keys" } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(error.code, "missing_api_key");
        assert.match(
          error.message,
          /^Cannot start a run of "test": ACME_KEY is not set .* \(steps "plan", "draft", "polish" have no other model to fall back on\)$/,
        );
        return true;
      },
    );
    assert.deepEqual(await h.store.listRuns(), [], "no run was created");
    const fallback = await service.createRun(pipelineOf(text('["acme:big", "offline:writer"]')), {
      inputs: { topic: "Keys" },
    });
    assert.equal(fallback.status, "initializing", "a step with a model to fall back on may start");
    await service.close();
  } finally {
    await models.close();
    await h.close();
  }
});

/** Offline models, plus "acme:down" (answers with a provider error) and "acme:keyless" (no key). */
function acmeModels(): ModelSource {
  return {
    resolve(name) {
      if (name === "acme:keyless") {
        throw new ConfigurationError(`ACME_KEY is not set (needed for "${name}"): export it`, {
          code: "missing_api_key",
        });
      }
      if (name === "acme:down") {
        return {
          provider: "acme",
          modelId: "down",
          // deno-lint-ignore require-yield
          async *stream(): AsyncIterable<ModelStreamPart> {
            throw new ProviderError("acme", "ACME answered 401: the key was revoked", {
              status: 401,
            });
          },
        };
      }
      return createOfflineModel({ modelId: name.slice("offline:".length) });
    },
  };
}

Deno.test("RunService.resume() with a model retries a failed step on it; a model it cannot call changes nothing", async () => {
  const h = harness({ models: acmeModels() });
  try {
    // Given a run on acme:down, failed at its first step
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), {
      inputs: { topic: "Provider outages" },
      modelOverride: "acme:down",
    });
    const failed = await h.service.advance(run.runId, { autoSelect: true });
    assert.equal(failed.status, "error");
    assert.equal(failed.steps.plan.status, "failed");
    // When it is resumed on a model without a key, it is refused and nothing is written
    await assert.rejects(
      () => h.service.resume(run.runId, { model: "acme:keyless" }),
      (error: unknown) => error instanceof ConfigurationError && /ACME_KEY/.test(error.message),
    );
    assert.equal((await h.service.loadRun(run.runId)).version, failed.version);
    // When it is resumed on the offline model
    const resumed = await h.service.resume(run.runId, { model: "offline:writer" });
    assert.equal(resumed.status, "running");
    assert.equal(resumed.options?.modelOverride, "offline:writer");
    const done = await h.service.advance(run.runId, { autoSelect: true });
    // Then the failed step and the rest ran on it, and the log says who switched what
    assert.equal(done.status, "completed", String(done.error));
    for (const id of done.stepOrder) {
      const models = done.steps[id].responses.map((response) => response.modelName);
      assert.ok(models.every((model) => model === "offline:writer"), `${id}: ${models}`);
    }
    const changed = (await h.store.read(run.runId)).filter((event) =>
      event.type === "run_model_changed"
    );
    assert.deepEqual(changed.map((event) => event.data), [{
      model: "offline:writer",
      previous: "acme:down",
    }]);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.resume() with a model asks the step waiting for a pick again on it, keeping the old candidates", async () => {
  const h = harness({ models: acmeModels() });
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "Tea" } });
    const waiting = await h.service.advance(run.runId);
    assert.equal(waiting.steps.plan.status, "awaiting_selection");
    assert.equal(waiting.steps.plan.responses.length, 2);
    await h.service.resume(run.runId, { model: "offline:editor" });
    const again = await h.service.advance(run.runId);
    const plan = again.steps.plan;
    assert.equal(plan.status, "awaiting_selection");
    assert.deepEqual(plan.responses.map((response) => response.modelName), [
      "offline:writer",
      "offline:writer",
      "offline:editor",
      "offline:editor",
    ]);
    const retried = (await h.store.read(run.runId)).filter((event) =>
      event.type === "step_retried"
    );
    assert.deepEqual(retried.map((event) => event.data.reason), ["model"]);
    // The same model again changes nothing
    const before = (await h.service.loadRun(run.runId)).version;
    await h.service.resume(run.runId, { model: "offline:editor" });
    assert.equal((await h.service.loadRun(run.runId)).version, before);
  } finally {
    await h.close();
  }
});

Deno.test("RunService.regenerate(): a candidate that repeats one the step has fails validation, naming the one it repeats", async () => {
  // A model that answers every request the same way, as a model at temperature 0 does
  const same: ModelSource = {
    resolve: () => ({
      provider: "fixed",
      modelId: "same",
      async *stream(): AsyncIterable<ModelStreamPart> {
        yield {
          type: "text",
          text: "The one answer this model has, long enough to pass every check.",
        };
        yield { type: "finish", reason: "stop" };
      },
    }),
  };
  const h = harness({ models: same });
  try {
    const pipeline = pipelineOf(`
metadata: { name: "Same" }
defaults: { model: "fixed:same" }
inputs:
  topic: { type: text, required: true }
steps:
  plan: { prompt_template: "Plan {{ inputs.topic }}" }
`);
    const run = await h.service.createRun(pipeline, { inputs: { topic: "Repeats" } });
    await h.service.advance(run.runId);
    await h.service.regenerate(run.runId, "plan");
    const state = await h.service.advance(run.runId);
    const [first, second] = state.steps.plan.responses;
    assert.equal(first.validation.passed, true);
    assert.deepEqual(second.validation, { passed: false, reasons: ["same text as candidate 1"] });
  } finally {
    await h.close();
  }
});

Deno.test("RunService keeps a model's text byte for byte, surrounding whitespace included", async () => {
  const context = systemContext();
  const store = new MemoryEventStore({ context });
  const text = "\n  Indented first line,\n\ttabbed second line.  \n\n";
  const model: LanguageModel = {
    provider: "verbatim",
    modelId: "v",
    async *stream() {
      yield { type: "text", text };
      yield { type: "finish", reason: "stop" };
    },
  };
  const service = new RunService({
    store,
    models: { resolve: () => model },
    context,
    workspace: "w",
  });
  try {
    const run = await service.createRun(pipelineOf(THREE_STEPS), { inputs: { topic: "x" } });
    const state = await service.advance(run.runId);
    const [response] = state.steps.plan.responses;
    assert.equal(response.processedContent, text);
    assert.equal(response.rawOutput, text);
    assert.equal(response.validation.passed, true);
  } finally {
    await service.close();
    await store.close();
  }
});

Deno.test("RunService.select() of the last open step completes the run in the same append", async () => {
  const h = harness();
  try {
    const run = await h.service.createRun(pipelineOf(THREE_STEPS), {
      inputs: { topic: "Fsync" },
    });
    const appends: string[][] = [];
    const append = h.store.append.bind(h.store);
    h.store.append = (runId, events, options) => {
      appends.push(events.map((event) => event.type));
      return append(runId, events, options);
    };
    for (const stepId of ["plan", "draft"]) {
      await h.service.advance(run.runId);
      const state = await h.service.select(run.runId, stepId, 0);
      assert.equal(
        state.status,
        "running",
        `a pick with "polish" still open leaves the run running`,
      );
    }
    await h.service.advance(run.runId);
    appends.length = 0;
    const done = await h.service.select(run.runId, "polish", 0);
    assert.equal(done.status, "completed");
    assert.deepEqual(appends, [["step_response_selected", "step_completed", "run_completed"]]);
    assert.equal(
      (await h.service.advance(run.runId)).status,
      "completed",
      "advance has nothing to do",
    );
    assert.equal(appends.length, 1);
  } finally {
    await h.close();
  }
});
