import assert from "node:assert/strict";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import { initialState } from "../engine/run_evolve.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import { RunLiveState } from "./run_live_state.ts";

function run(
  version: number,
  status: PipelineRun["steps"][string]["status"] = "running",
): PipelineRun {
  return {
    ...initialState("run-1"),
    status: "running",
    stepOrder: ["plan"],
    version,
    steps: {
      plan: {
        stepId: "plan",
        status,
        generation: 0,
        responses: [],
        feedback: [],
        retryCount: 0,
        models: ["offline"],
        responseCount: 1,
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false },
      },
    },
  };
}

function event(sequence: number): EventEnvelope {
  return {
    id: `e${sequence}`,
    runId: "run-1",
    sequence,
    schemaVersion: 1,
    time: "2026-01-01T00:00:00Z",
    metadata: { correlationId: "c" },
    type: "run_started",
    data: {},
  } as EventEnvelope;
}

const chunk = (text: string) => ({
  type: "chunk" as const,
  stepId: "plan",
  generation: 0,
  model: "offline",
  candidateIndex: 0,
  text,
});

Deno.test("RunLiveState.chunk() batches chunks into one update per frame", () => {
  const frames: (() => void)[] = [];
  const live = new RunLiveState(run(3), { schedule: (flush) => frames.push(flush) });
  live.chunk(chunk("Hello"));
  live.chunk(chunk(", "));
  live.chunk(chunk("world"));
  assert.equal(frames.length, 1);
  assert.equal(live.streams.value.size, 0);
  frames.shift()!();
  assert.equal([...live.streams.value.values()][0].text, "Hello, world");
  live.chunkReset({ ...chunk(""), type: "chunk_reset", reason: "retry" });
  live.chunk(chunk("Again"));
  frames.shift()!();
  assert.equal([...live.streams.value.values()][0].text, "Again");
});

Deno.test("RunLiveState.acceptRun() never goes back to an older version and drops finished streams", () => {
  const live = new RunLiveState(run(5), { schedule: (flush) => flush() });
  live.chunk(chunk("text"));
  assert.equal(live.acceptRun(run(4)), false);
  assert.equal(live.run.value.version, 5);
  assert.equal(live.acceptRun(run(6, "running")), true);
  assert.equal(live.streams.value.size, 1, "still running: the stream stays");
  assert.equal(live.acceptRun(run(8, "awaiting_selection")), true);
  assert.equal(live.streams.value.size, 0);
  assert.equal(live.acceptRun({ ...run(9), runId: "other" }), false);
});

Deno.test("RunLiveState.addEvents() keeps one event per sequence, in order", () => {
  const live = new RunLiveState(run(2), { schedule: (flush) => flush() });
  live.addEvents([event(3), event(1)]);
  live.addEvents([event(2), event(3)]);
  assert.deepEqual(live.events.value.map((item) => item.sequence), [1, 2, 3]);
  assert.equal(live.lastSequence.value, 3);
  for (let index = 0; index < 7; index++) live.notice(`n${index}`);
  assert.deepEqual(live.notices.value, ["n2", "n3", "n4", "n5", "n6"]);
});
