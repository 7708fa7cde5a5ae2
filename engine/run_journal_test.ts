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
