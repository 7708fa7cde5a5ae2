import assert from "node:assert/strict";
import { fixedContext } from "./context.ts";
import { InvalidCommandError } from "./errors.ts";
import { MemoryEventStore } from "./events/memory_event_store.ts";
import { decide, initialState } from "./run_decider.ts";
import { RunJournal } from "./run_journal.ts";

async function created(store: MemoryEventStore) {
  const events = decide({
    type: "createRun",
    pipelineId: "p",
    pipelineHash: "h",
    workspace: "w",
    stepOrder: ["a", "b"],
    stepDependencies: {},
    inputs: {},
  }, initialState("run-1"));
  await store.append("run-1", events, { expectedVersion: 0 });
}

Deno.test("RunJournal.execute() re-decides after another writer appended first", async () => {
  const context = fixedContext();
  const store = new MemoryEventStore({ context });
  try {
    await created(store);
    const journal = await RunJournal.open(store, "run-1", { context });
    // Another process starts the run behind the journal's back.
    await store.append("run-1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
    const events = await journal.execute(
      () => [{ type: "addFeedback", stepId: "a", text: "More" }],
    );
    assert.equal(events[0].sequence, 3);
    assert.equal(journal.state.status, "running");
    assert.equal(journal.state.steps.a.feedback[0].text, "More");
    const none = await journal.execute((state) =>
      state.status === "running" ? [] : [{ type: "startRun" }]
    );
    assert.deepEqual(none, []);
    await assert.rejects(
      () => journal.execute(() => [{ type: "startRun" }]),
      InvalidCommandError,
    );
  } finally {
    await store.close();
  }
});

Deno.test("RunJournal.execute() appends several commands at once and serializes callers", async () => {
  const context = fixedContext();
  const store = new MemoryEventStore({ context });
  try {
    await created(store);
    const journal = await RunJournal.open(store, "run-1", { context });
    const seen: string[] = [];
    journal.listen((events) => seen.push(...events.map((event) => event.type)));
    await Promise.all([
      journal.execute(() => [{ type: "startRun" }, { type: "skipStep", stepId: "a" }]),
      journal.execute(() => [{ type: "addFeedback", stepId: "b", text: "x" }]),
    ]);
    assert.deepEqual(seen, ["run_started", "step_skipped", "step_feedback_added"]);
    assert.equal((await store.loadRun("run-1")).version, 4);
  } finally {
    await store.close();
  }
});

Deno.test("RunJournal.execute() stores executes queued together in one append, each resolving with its own events", async () => {
  const context = fixedContext();
  const store = new MemoryEventStore({ context });
  try {
    await created(store);
    const journal = await RunJournal.open(store, "run-1", { context });
    let appends = 0;
    const append = store.append.bind(store);
    store.append = (...args) => {
      appends++;
      return append(...args);
    };
    const first = journal.execute(() => [{ type: "startRun" }]);
    const queued = [
      journal.execute(() => [{ type: "addFeedback", stepId: "a", text: "one" }]),
      journal.execute(() => [{ type: "startRun" }]), // refused: the run started just before
      journal.execute((state) =>
        state.steps.a.feedback.length === 1
          ? [{ type: "addFeedback", stepId: "b", text: "sees the one before" }]
          : []
      ),
      journal.execute(() => []),
    ];
    assert.equal((await first)[0].type, "run_started");
    const [one, refused, after, nothing] = await Promise.allSettled(queued);
    assert.equal(appends, 1, "the five executes took one append");
    assert.equal(one.status === "fulfilled" && one.value.length, 1);
    assert.ok(refused.status === "rejected" && refused.reason instanceof InvalidCommandError);
    assert.equal(after.status === "fulfilled" && after.value[0].sequence, 4);
    assert.deepEqual(nothing.status === "fulfilled" && nothing.value, []);
    assert.equal(journal.state.steps.b.feedback[0].text, "sees the one before");
    assert.equal(journal.state.version, 4);
  } finally {
    await store.close();
  }
});
