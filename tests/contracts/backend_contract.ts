/**
 * The contract every EventStore passes, as one function that registers
 * `Deno.test` cases for a store factory. memory_event_store_test.ts and
 * storage/lmdb_event_store_test.ts call it; a future PostgreSQL store calls
 * it too.
 *
 * @example
 * ```ts
 * eventStoreContract("MemoryEventStore", (context) => {
 *   const store = new MemoryEventStore({ context });
 *   return Promise.resolve({ store, importEvents: (id, events) => store.importEvents(id, events), cleanup: () => store.close() });
 * });
 * ```
 */
import assert from "node:assert/strict";
import { type EngineContext, fixedContext } from "../../engine/context.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { RunCommand } from "../../engine/run_commands.ts";
import { decide } from "../../engine/run_decider.ts";
import type { AIResponse, PipelineRun } from "../../engine/run_model.ts";
import type { EventEnvelope, NewEvent } from "../../engine/events/event_envelope.ts";
import type { EventStore } from "../../engine/events/event_store.ts";
import type { StoredEvent } from "../../engine/events/event_upcasters.ts";

/** What a factory hands the contract. */
export interface ContractSubject {
  store: EventStore;
  /** Writes already-stamped events verbatim (older schema versions included) to a new run. */
  importEvents(runId: string, events: StoredEvent[]): Promise<void>;
  /** Closes the store and removes what it wrote. */
  cleanup(): Promise<void>;
}

/** Builds a fresh, empty store for one test case. */
export type ContractFactory = (context: EngineContext) => Promise<ContractSubject>;

/** The `run_created` event of a four-step article run. */

/** Only the `run_branched` event of a branch from `stepId`. */
function branchEvent(state: PipelineRun, stepId: string): NewEvent[] {
  return decide({ type: "branchFrom", stepId }, state).filter((event) =>
    event.type === "run_branched"
  );
}

export function createRunEvent(pipelineId = "tech-article"): NewEvent {
  return decide({
    type: "createRun",
    pipelineId,
    pipelineHash: "sha256:contract",
    workspace: "default",
    stepOrder: ["angles", "outline", "draft", "polish"],
    stepDependencies: {},
    inputs: { topic: "event stores" },
  }, { ...emptyRun() })[0];
}

function emptyRun() {
  return {
    runId: "",
    pipelineId: "",
    workspace: "",
    createdAt: "",
    updatedAt: "",
    status: "initializing" as const,
    userInputs: {},
    stepOrder: [],
    stepDependencies: {},
    steps: {},
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
    version: 0,
  };
}

/** A model candidate for `stepId`. */
export function contractResponse(stepId: string, responseId: string, text: string): AIResponse {
  return {
    responseId,
    stepId,
    generation: 0,
    candidateIndex: 0,
    modelName: "offline",
    provider: "offline",
    promptUsed: `Write ${stepId}`,
    rawOutput: text,
    processedContent: text,
    createdAt: "2026-01-01T00:00:00.000Z",
    usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7, costUsd: 0, estimated: false },
    processingTime: 0.01,
    origin: "model",
    cached: false,
    validation: { passed: true, reasons: [] },
  };
}

/** Decides and appends `commands` one after another; returns the final version. */
export async function applyCommands(
  store: EventStore,
  runId: string,
  commands: RunCommand[],
): Promise<number> {
  let state = await store.loadRun(runId).catch(() => undefined);
  for (const command of commands) {
    state ??= { ...emptyRun(), runId };
    const events = decide(command, state);
    await store.append(runId, events, { expectedVersion: state.version });
    state = await store.loadRun(runId);
  }
  return state?.version ?? 0;
}

/** Commands taking a run through its first step (angles completed, outline started). */
export function firstStepCommands(): RunCommand[] {
  return [
    { type: "startRun" },
    {
      type: "startStep",
      stepId: "angles",
      prompt: "Angles",
      models: ["offline"],
      responseCount: 2,
    },
    { type: "recordResponse", stepId: "angles", response: contractResponse("angles", "a1", "One") },
    { type: "recordResponse", stepId: "angles", response: contractResponse("angles", "a2", "Two") },
    { type: "selectResponse", stepId: "angles", index: 0 },
    { type: "completeStep", stepId: "angles" },
  ];
}

function sequences(events: EventEnvelope[]): number[] {
  return events.map((event) => event.sequence);
}

/** Registers the contract's test cases for `factory` under `name`. */
export function eventStoreContract(name: string, factory: ContractFactory): void {
  function test(title: string, body: (subject: ContractSubject) => Promise<void>) {
    Deno.test(`${name}: ${title}`, async () => {
      const subject = await factory(fixedContext());
      try {
        await body(subject);
      } finally {
        await subject.cleanup();
      }
    });
  }

  test("EventStore.append() numbers events from 1 without gaps and read() returns them", async ({ store }) => {
    const first = await store.append("r1", [createRunEvent()], {
      expectedVersion: 0,
      metadata: { correlationId: "c-1", actor: "test" },
    });
    assert.equal(first.firstSequence, 1);
    assert.equal(first.lastSequence, 1);
    const second = await store.append("r1", [
      { type: "run_started", data: {} },
      { type: "run_paused", data: { reason: "tea" } },
    ], { expectedVersion: 1 });
    assert.deepEqual([second.firstSequence, second.lastSequence], [2, 3]);
    const events = await store.read("r1");
    assert.deepEqual(sequences(events), [1, 2, 3]);
    assert.deepEqual(events.map((event) => event.type), [
      "run_created",
      "run_started",
      "run_paused",
    ]);
    assert.equal(events[0].runId, "r1");
    assert.equal(events[0].metadata.correlationId, "c-1");
    assert.equal(events[0].metadata.actor, "test");
    assert.equal(events[0].schemaVersion, 1);
    assert.match(events[0].time, /^\d{4}-\d\d-\d\dT/);
    assert.notEqual(events[1].id, events[2].id);
    assert.equal(events[1].metadata.correlationId, events[2].metadata.correlationId);
  });

  test("EventStore.append() rejects a stale expected version and writes nothing", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await assert.rejects(
      store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 0 }),
      (error: unknown) => error instanceof ConflictError && error.code === "stale_version",
    );
    await assert.rejects(
      store.append("r1", [createRunEvent()], { expectedVersion: 0 }),
      ConflictError,
    );
    assert.deepEqual(sequences(await store.read("r1")), [1]);
  });

  test("EventStore.append() lets exactly one of two concurrent appends at one version win", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    const results = await Promise.allSettled([
      store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 1 }),
      store.append("r1", [{ type: "run_cancelled", data: { reason: "race" } }], {
        expectedVersion: 1,
      }),
    ]);
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    const reason = (lost[0] as PromiseRejectedResult).reason;
    assert.ok(reason instanceof ConflictError && reason.code === "stale_version", String(reason));
    assert.deepEqual(sequences(await store.read("r1")), [1, 2]);
  });

  test("EventStore.append() appends several events atomically or not at all", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await assert.rejects(
      store.append("r1", [
        { type: "run_started", data: {} },
        { type: "step_feedback_added", data: { stepId: "angles", text: "" } },
      ], { expectedVersion: 1 }),
      ValidationError,
    );
    assert.deepEqual(sequences(await store.read("r1")), [1]);
  });

  test("EventStore.append() requires run_created or run_branched to start a run", async ({ store }) => {
    await assert.rejects(
      store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 0 }),
      ValidationError,
    );
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await assert.rejects(
      store.append("r1", [createRunEvent()], { expectedVersion: 1 }),
      ValidationError,
    );
    await assert.rejects(store.read("r2"), NotFoundError);
  });

  test("EventStore.read() reads from and to a sequence", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "r1", firstStepCommands());
    assert.deepEqual(sequences(await store.read("r1", { fromSequence: 4 })), [4, 5, 6, 7]);
    assert.deepEqual(sequences(await store.read("r1", { fromSequence: 2, toSequence: 3 })), [2, 3]);
    assert.deepEqual(await store.read("r1", { fromSequence: 8 }), []);
  });

  test("EventStore.subscribe() delivers new events in order, replays from a sequence, and stops", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    const one: number[] = [];
    const all: string[] = [];
    const replayed: number[] = [];
    const stopOne = store.subscribe("r1", (event) => one.push(event.sequence));
    const stopAll = store.subscribe("*", (event) => all.push(`${event.runId}#${event.sequence}`));
    const stopReplay = store.subscribe("r1", (event) => replayed.push(event.sequence), {
      fromSequence: 1,
    });
    await store.append("r1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
    await store.append("r2", [createRunEvent()], { expectedVersion: 0 });
    await waitFor(() => replayed.length >= 2 && all.length >= 2);
    stopOne();
    await store.append("r1", [{ type: "run_paused", data: {} }], { expectedVersion: 2 });
    await waitFor(() => replayed.length >= 3 && all.length >= 3);
    stopAll();
    stopReplay();
    await store.append("r1", [{ type: "run_resumed", data: {} }], { expectedVersion: 3 });
    assert.deepEqual(one, [2]);
    assert.deepEqual(all, ["r1#2", "r2#1", "r1#3"]);
    assert.deepEqual(replayed, [1, 2, 3]);
  });

  test("EventStore.loadRun() folds the stream and travels in time", async ({ store }) => {
    await store.append("r1", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "r1", firstStepCommands());
    const state = await store.loadRun("r1");
    assert.equal(state.version, 7);
    assert.equal(state.status, "running");
    assert.equal(state.steps.angles.status, "completed");
    assert.equal(state.steps.angles.selectedText, "One");
    assert.equal(state.usage.totalTokens, 14);
    const earlier = await store.loadRun("r1", { atSequence: 4 });
    assert.equal(earlier.version, 4);
    assert.equal(earlier.steps.angles.status, "running");
    assert.equal(earlier.steps.angles.responses.length, 1);
    await assert.rejects(store.loadRun("missing"), NotFoundError);
    await assert.rejects(store.loadRun("r1", { atSequence: 8 }), ValidationError);
  });

  test("EventStore.read() gives a branch its parent's history up to the branch point, also for branches of branches", async ({ store }) => {
    await store.append("parent", [createRunEvent()], { expectedVersion: 0 });
    await applyCommands(store, "parent", firstStepCommands());
    const parent = await store.loadRun("parent");
    // The store's part is the branch event itself (the run rules may add a reopened step after it).
    const branch = branchEvent(parent, "angles");
    await store.append("child", branch, { expectedVersion: parent.version });
    // The parent moves on; the child must not see it.
    await store.append("parent", [{ type: "run_paused", data: {} }], {
      expectedVersion: parent.version,
    });
    const childEvents = await store.read("child");
    assert.deepEqual(sequences(childEvents), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(childEvents.slice(0, 7).map((event) => event.runId), Array(7).fill("parent"));
    assert.equal(childEvents[7].type, "run_branched");
    assert.equal(childEvents[7].runId, "child");
    const child = await store.loadRun("child");
    assert.equal(child.runId, "child");
    assert.equal(child.parentRunId, "parent");
    assert.deepEqual(child.branchPoint, { stepId: "angles", sequence: 7 });
    assert.equal(child.steps.angles.status, "pending");
    assert.equal(child.steps.angles.responses.length, 2, "history is shared, not lost");
    assert.equal(child.status, "initializing");

    await applyCommands(store, "child", [
      { type: "startRun" },
      {
        type: "startStep",
        stepId: "angles",
        prompt: "Again",
        models: ["offline"],
        responseCount: 1,
      },
    ]);
    const childState = await store.loadRun("child");
    assert.equal(childState.steps.angles.generation, 1);
    const grandchildEvents = branchEvent(childState, "angles");
    await store.append("grandchild", grandchildEvents, { expectedVersion: childState.version });
    const grand = await store.read("grandchild");
    assert.deepEqual(sequences(grand), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(
      grand.map((event) => event.runId),
      [...Array(7).fill("parent"), "child", "child", "child", "grandchild"],
    );
    assert.deepEqual(
      sequences(await store.read("grandchild", { fromSequence: 7, toSequence: 9 })),
      [
        7,
        8,
        9,
      ],
    );
    const grandState = await store.loadRun("grandchild", { atSequence: 8 });
    assert.equal(
      grandState.runId,
      "child",
      "time travel into the shared prefix shows the ancestor",
    );
    assert.deepEqual(await store.branches("parent"), ["child"]);
    assert.deepEqual(await store.branches("child"), ["grandchild"]);
    assert.deepEqual(await store.branches("grandchild"), []);
    const listed = await store.listRuns();
    assert.equal(listed.find((row) => row.runId === "grandchild")?.parentRunId, "child");
  });

  test("EventStore.append() rejects a branch of a missing parent or past the parent's head", async ({ store }) => {
    await assert.rejects(
      store.append("child", [{
        type: "run_branched",
        data: { parentRunId: "nope", branchPoint: { stepId: "angles", sequence: 1 } },
      }], { expectedVersion: 1 }),
      NotFoundError,
    );
    await store.append("parent", [createRunEvent()], { expectedVersion: 0 });
    await assert.rejects(
      store.append("child", [{
        type: "run_branched",
        data: { parentRunId: "parent", branchPoint: { stepId: "angles", sequence: 5 } },
      }], { expectedVersion: 5 }),
      ValidationError,
    );
    await assert.rejects(
      store.append("child", [{
        type: "run_branched",
        data: { parentRunId: "parent", branchPoint: { stepId: "angles", sequence: 1 } },
      }], { expectedVersion: 0 }),
      ConflictError,
    );
  });

  test("EventStore.read() upcasts an event stored with an older schema version", async ({ store, importEvents }) => {
    const created = await decideStored("old", 1, createRunEvent(), 1);
    const started = await decideStored("old", 2, { type: "run_started", data: {} }, 1);
    const stepV1: StoredEvent = {
      id: "e3",
      runId: "old",
      sequence: 3,
      type: "step_started",
      schemaVersion: 1,
      time: "2025-06-01T00:00:00.000Z",
      data: { stepId: "angles", prompt: "Old prompt", model: "gpt-4o" },
      metadata: { correlationId: "c" },
    };
    await importEvents("old", [created, started, stepV1]);
    const events = await store.read("old");
    const step = events[2];
    assert.equal(step.type, "step_started");
    assert.equal(step.schemaVersion, 2);
    assert.deepEqual(step.data, {
      stepId: "angles",
      prompt: "Old prompt",
      generation: 0,
      models: ["gpt-4o"],
      responseCount: 1,
    });
    const state = await store.loadRun("old");
    assert.deepEqual(state.steps.angles.models, ["gpt-4o"]);
    assert.equal(state.steps.angles.status, "running");
    await store.append("old", [{
      type: "step_response_generated",
      data: { stepId: "angles", response: contractResponse("angles", "x", "Old answer") },
    }], { expectedVersion: 3 });
    assert.equal((await store.loadRun("old")).steps.angles.status, "awaiting_selection");
  });

  test("EventStore.listRuns() filters by status and pipeline, newest first", async ({ store }) => {
    await store.append("a", [createRunEvent("alpha")], { expectedVersion: 0 });
    await store.append("b", [createRunEvent("beta")], { expectedVersion: 0 });
    await store.append("c", [createRunEvent("alpha")], { expectedVersion: 0 });
    await store.append("c", [{ type: "run_cancelled", data: {} }], { expectedVersion: 1 });
    const all = await store.listRuns();
    assert.deepEqual(all.map((row) => row.runId).sort(), ["a", "b", "c"]);
    assert.deepEqual((await store.listRuns({ pipelineId: "alpha" })).map((r) => r.runId).sort(), [
      "a",
      "c",
    ]);
    const cancelled = await store.listRuns({ status: "cancelled" });
    assert.deepEqual(cancelled.map((row) => row.runId), ["c"]);
    assert.equal(cancelled[0].version, 2);
    assert.equal(cancelled[0].stepCount, 4);
    assert.equal((await store.listRuns({ limit: 2 })).length, 2);
  });

  test("EventStore.append() keeps many concurrent runs apart", async ({ store }) => {
    const runs = Array.from({ length: 20 }, (_, index) => `run-${index}`);
    await Promise.all(
      runs.map((id) => store.append(id, [createRunEvent()], { expectedVersion: 0 })),
    );
    await Promise.all(runs.map(async (id) => {
      for (let version = 1; version <= 5; version++) {
        await store.append(id, [{
          type: "step_feedback_added",
          data: { stepId: "angles", text: `${id}:${version}` },
        }], { expectedVersion: version });
      }
    }));
    for (const id of runs) {
      const events = await store.read(id);
      assert.deepEqual(sequences(events), [1, 2, 3, 4, 5, 6]);
      assert.equal((await store.loadRun(id)).steps.angles.feedback.at(-1)?.text, `${id}:5`);
    }
  });
}

function decideStored(
  runId: string,
  sequence: number,
  event: NewEvent,
  schemaVersion: number,
): Promise<StoredEvent> {
  return Promise.resolve({
    id: `e${sequence}`,
    runId,
    sequence,
    type: event.type,
    schemaVersion,
    time: "2025-06-01T00:00:00.000Z",
    data: event.data,
    metadata: { correlationId: "c" },
  });
}

/** Waits (up to 2 s) until `condition` holds. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
