/**
 * Event store benchmarks (issue 3 targets), each against a baseline measured
 * in the same run:
 * - aggregate append throughput with 100 concurrent runs (one awaited append
 *   of one event at a time per run, durable commits), against raw lmdb
 *   batched `put`s of the same stored payloads in the same process; for
 *   context also the closed-loop floor (100 writers each awaiting a durable
 *   group commit of one raw `put` per event: no store logic at all) and the
 *   CPU time the store spends per event, all threads included;
 * - latency of one awaited append under that load (p50, p99);
 * - loading a 10,000-event run with snapshots and without;
 * - bytes on disk per event for realistic 4-step runs (events and projections).
 */
import process from "node:process";
import type { BenchResult } from "./bench_result.ts";
import { percentile } from "./bench_result.ts";
import { systemContext } from "../engine/context.ts";
import type { NewEvent } from "../engine/events/event_envelope.ts";
import type { RunCommand } from "../engine/run_commands.ts";
import { decide, initialState } from "../engine/run_decider.ts";
import type { AIResponse } from "../engine/run_model.ts";
import { foldEvents } from "../engine/run_evolve.ts";
import { LmdbEventStore, openLmdbEventStore } from "../storage/lmdb_event_store.ts";
import { openWorkspaceDatabase } from "../storage/workspace_database.ts";

const RUNS = 100;
const EVENTS_PER_RUN = 300;

function response(stepId: string, id: string, generation: number, length: number): AIResponse {
  const text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(
    Math.ceil(length / 57),
  ).slice(0, length);
  return {
    responseId: id,
    stepId,
    generation,
    candidateIndex: 0,
    modelName: "gpt-4o",
    provider: "openai",
    promptUsed: `Write the ${stepId} for an article about embedded databases.`,
    rawOutput: text,
    processedContent: text,
    createdAt: new Date().toISOString(),
    usage: {
      inputTokens: 420,
      outputTokens: 380,
      totalTokens: 800,
      costUsd: 0.004,
      estimated: false,
    },
    processingTime: 2.5,
    origin: "model",
    cached: false,
    validation: { passed: true, reasons: [] },
  };
}

const CREATE: RunCommand = {
  type: "createRun",
  pipelineId: "tech-article",
  pipelineHash: "sha256:bench",
  workspace: "default",
  stepOrder: ["angles", "outline", "draft", "polish"],
  stepDependencies: {},
  inputs: { topic: "LMDB", audience: "developers", source_material: "x".repeat(400) },
};

/** Small events of the kind a long interactive run accumulates (feedback, pauses). */
function fillerEvent(runId: string, index: number): NewEvent {
  switch (index % 3) {
    case 0:
      return {
        type: "step_feedback_added",
        data: { stepId: "angles", text: `Note ${index} on ${runId}: tighter intro` },
      };
    case 1:
      return { type: "run_paused", data: { reason: "writer stepped away" } };
    default:
      return { type: "run_resumed", data: {} };
  }
}

/** Commands of a realistic 4-step run: 2 candidates per step, one feedback + regenerate on the draft. */
function realisticCommands(): RunCommand[] {
  const commands: RunCommand[] = [CREATE, { type: "startRun" }];
  const lengths: Record<string, number> = { angles: 600, outline: 1500, draft: 6000, polish: 6000 };
  for (const stepId of ["angles", "outline", "draft", "polish"]) {
    const start: RunCommand = {
      type: "startStep",
      stepId,
      prompt: `Prompt for ${stepId} `.repeat(40),
      models: ["gpt-4o"],
      responseCount: 2,
    };
    commands.push(start);
    let generation = 0;
    const record = () => {
      for (let candidate = 0; candidate < 2; candidate++) {
        commands.push({
          type: "recordResponse",
          stepId,
          response: response(stepId, crypto.randomUUID(), generation, lengths[stepId]),
        });
      }
    };
    record();
    if (stepId === "draft") {
      commands.push({
        type: "addFeedback",
        stepId,
        text: "More concrete examples, fewer adjectives.",
      });
      commands.push({ type: "regenerateStep", stepId, reason: "feedback" });
      commands.push(start);
      generation = 1;
      record();
    }
    commands.push({ type: "selectResponse", stepId, index: 0 }, { type: "completeStep", stepId });
  }
  commands.push({ type: "completeRun" });
  return commands;
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "writeit-bench-events-" });
}

/** Raw lmdb: batched puts of the stored tuples, durable, same environment settings. */
async function rawPutThroughput(payloads: unknown[][]): Promise<number> {
  const directory = await tempDir();
  const database = openWorkspaceDatabase(directory);
  const store = database.openStore<unknown, [string, number]>("raw_events");
  const start = performance.now();
  let last: Promise<boolean> | undefined;
  for (let run = 0; run < payloads.length; run++) {
    const events = payloads[run];
    for (let index = 0; index < events.length; index++) {
      last = store.put([`run-${run}`, index + 2], events[index]);
    }
  }
  await last;
  await database.root.flushed;
  const seconds = (performance.now() - start) / 1000;
  await database.close();
  await Deno.remove(directory, { recursive: true });
  return payloads.reduce((sum, events) => sum + events.length, 0) / seconds;
}

/**
 * The floor of the append workload's shape: each of the runs awaits a durable
 * commit of one raw `put` of its next stored event before the next one, and
 * the puts waiting at a time share one transaction (group commit) — the
 * event store's commit pattern without any of its work.
 */
async function rawClosedLoopThroughput(payloads: unknown[][]): Promise<number> {
  const directory = await tempDir();
  const database = openWorkspaceDatabase(directory);
  const store = database.openStore<unknown, [string, number]>("raw_events");
  let waiting: { key: [string, number]; value: unknown; done: () => void }[] = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    let batch: typeof waiting = [];
    const committed = database.transaction(() => {
      scheduled = false;
      [batch, waiting] = [waiting, []];
      for (const { key, value } of batch) store.putSync(key, value);
    });
    const flushed = new Promise((resolve) => database.root.flushed.then(resolve));
    committed.then(() => flushed).then(() => batch.forEach(({ done }) => done()));
  };
  const start = performance.now();
  await Promise.all(payloads.map(async (events, run) => {
    for (let index = 0; index < events.length; index++) {
      await new Promise<void>((done) => {
        waiting.push({ key: [`run-${run}`, index + 2], value: events[index], done });
        schedule();
      });
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  await database.close();
  await Deno.remove(directory, { recursive: true });
  return payloads.reduce((sum, events) => sum + events.length, 0) / seconds;
}

async function appendThroughput(
  batchSize: number,
  durability: "flushed" | "committed" = "flushed",
  runs = RUNS,
): Promise<{
  eventsPerSecond: number;
  latencies: number[];
  appendsPerCommit: number;
  payloads: unknown[][];
  cpuMicrosecondsPerEvent: number;
}> {
  const directory = await tempDir();
  const store = openLmdbEventStore(directory, { context: systemContext(), durability });
  const created = decide(CREATE, initialState())[0];
  await Promise.all(
    Array.from(
      { length: runs },
      (_, run) => store.append(`run-${run}`, [created], { expectedVersion: 0 }),
    ),
  );
  const payloads: unknown[][] = [];
  const latencies: number[] = [];
  const before = store.stats();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: runs }, async (_, run) => {
    const runId = `run-${run}`;
    const stored: unknown[] = [];
    payloads.push(stored);
    let version = 1;
    for (let index = 0; index < EVENTS_PER_RUN; index += batchSize) {
      const events = Array.from(
        { length: batchSize },
        (_, offset) => fillerEvent(runId, index + offset),
      );
      const began = performance.now();
      const result = await store.append(runId, events, { expectedVersion: version });
      latencies.push(performance.now() - began);
      version = result.lastSequence;
      for (const event of result.events) {
        stored.push([
          event.id,
          event.type,
          event.schemaVersion,
          event.time,
          event.data,
          event.metadata,
        ]);
      }
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const after = store.stats();
  await store.close();
  await Deno.remove(directory, { recursive: true });
  return {
    eventsPerSecond: (runs * EVENTS_PER_RUN) / seconds,
    latencies,
    appendsPerCommit: (after.appends - before.appends) /
      Math.max(1, after.commits - before.commits),
    payloads,
    cpuMicrosecondsPerEvent: (used.user + used.system) / (runs * EVENTS_PER_RUN),
  };
}

async function loadLongRun(): Promise<{ withSnapshots: number; without: number; events: number }> {
  const directory = await tempDir();
  const store = openLmdbEventStore(directory, { context: systemContext(), snapshotEvery: 100 });
  // A real start (created, started, first step running), then 10,000 events of interaction.
  let version = 0;
  for (const command of realisticCommands().slice(0, 3)) {
    const state = version === 0 ? initialState("long") : await store.loadRun("long");
    version = (await store.append("long", decide(command, state), { expectedVersion: version }))
      .lastSequence;
  }
  const total = 10_000;
  while (version < total) {
    const count = Math.min(100, total - version);
    const events = Array.from(
      { length: count },
      (_, index) => fillerEvent("long", version + index),
    );
    version = (await store.append("long", events, { expectedVersion: version })).lastSequence;
  }
  const time = async (reader: LmdbEventStore) => {
    const samples: number[] = [];
    for (let round = 0; round < 15; round++) {
      const began = performance.now();
      const loaded = await reader.loadRun("long");
      samples.push(performance.now() - began);
      if (loaded.version !== total) throw new Error("loaded the wrong version");
    }
    return percentile(samples, 50);
  };
  const withSnapshots = await time(new LmdbEventStore(store.database, { snapshotEvery: 100 }));
  const noSnapshots = new LmdbEventStore(store.database, { snapshotEvery: 0 });
  // Without snapshots: the same events, folded from the first one.
  const without = await (async () => {
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      const began = performance.now();
      const events = await noSnapshots.read("long");
      const folded = foldEvents(initialState("long"), events);
      if (folded.version !== total) throw new Error("folded the wrong version");
      samples.push(performance.now() - began);
    }
    return percentile(samples, 50);
  })();
  await store.close();
  await Deno.remove(directory, { recursive: true });
  return { withSnapshots, without, events: total };
}

async function bytesPerEvent(): Promise<
  { eventsOnly: number; withProjections: number; events: number }
> {
  const directory = await tempDir();
  const store = openLmdbEventStore(directory, { context: systemContext() });
  let events = 0;
  for (let run = 0; run < 50; run++) {
    const runId = `article-${run}`;
    let state = initialState(runId);
    for (const command of realisticCommands()) {
      const result = await store.append(runId, decide(command, state), {
        expectedVersion: state.version,
      });
      events += result.events.length;
      state = await store.loadRun(runId);
    }
  }
  const size = (name: string) => {
    const stats = store.database.openStore(name).getStats() as Record<string, number>;
    return (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages) *
      stats.pageSize;
  };
  const eventsBytes = size("run_events");
  const projections = [
    "run_heads",
    "run_snapshots",
    "run_log",
    "runs",
    "run_steps",
    "run_responses",
    "run_branches",
    "run_index",
  ]
    .reduce((sum, name) => sum + size(name), 0);
  await store.close();
  await Deno.remove(directory, { recursive: true });
  return {
    eventsOnly: eventsBytes / events,
    withProjections: (eventsBytes + projections) / events,
    events,
  };
}

/** Runs the event store benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const single = await appendThroughput(1);
  const raw = await rawPutThroughput(single.payloads);
  const floor = await rawClosedLoopThroughput(single.payloads);
  const committed = await appendThroughput(1, "committed");
  const batched = await appendThroughput(10);
  const rawBatched = await rawPutThroughput(batched.payloads);
  const p99 = percentile(single.latencies, 99);
  const light = await appendThroughput(1, "flushed", 10);
  const load = await loadLongRun();
  const bytes = await bytesPerEvent();
  const rawBaseline = { name: "raw lmdb batched put, same payloads", value: raw };
  return [
    {
      name: `append throughput, ${RUNS} concurrent runs, 1 event per append`,
      value: single.eventsPerSecond,
      unit: "events/s",
      baseline: rawBaseline,
      ratio: single.eventsPerSecond / raw,
      target: ">= 100000 events/s and >= 0.33x raw put",
      met: single.eventsPerSecond >= 100_000 && single.eventsPerSecond / raw >= 1 / 3,
    },
    {
      name:
        `closed-loop floor: ${RUNS} writers each awaiting a durable group commit of 1 raw put per event`,
      value: floor,
      unit: "events/s",
      baseline: rawBaseline,
      ratio: floor / raw,
    },
    {
      name: "CPU per event, 1 event per append, all threads (user + system)",
      value: single.cpuMicrosecondsPerEvent,
      unit: "µs",
    },
    {
      name:
        `append throughput, ${RUNS} concurrent runs, 1 event per append, ack on commit (not flush)`,
      value: committed.eventsPerSecond,
      unit: "events/s",
      baseline: rawBaseline,
      ratio: committed.eventsPerSecond / raw,
    },
    {
      name: "one awaited append under load, ack on commit (not flush), p99",
      value: percentile(committed.latencies, 99),
      unit: "ms",
    },
    {
      name: `append throughput, ${RUNS} concurrent runs, 10 events per append`,
      value: batched.eventsPerSecond,
      unit: "events/s",
      baseline: { name: "raw lmdb batched put, same payloads", value: rawBatched },
      ratio: batched.eventsPerSecond / rawBatched,
      target: ">= 100000 events/s and >= 0.33x raw put",
      met: batched.eventsPerSecond >= 100_000 && batched.eventsPerSecond / rawBatched >= 1 / 3,
    },
    {
      name: "one awaited append, 10 concurrent runs, p50",
      value: percentile(light.latencies, 50),
      unit: "ms",
    },
    {
      name: "one awaited append, 10 concurrent runs, p99",
      value: percentile(light.latencies, 99),
      unit: "ms",
    },
    {
      name: "group commit: appends per commit (1 event per append)",
      value: single.appendsPerCommit,
      unit: "appends/commit",
    },
    {
      name: "one awaited append under load, p50",
      value: percentile(single.latencies, 50),
      unit: "ms",
    },
    {
      name: "one awaited append under load, p99",
      value: p99,
      unit: "ms",
      target: "< 5 ms",
      met: p99 < 5,
    },
    {
      name: `load a ${load.events}-event run with snapshots (every 100)`,
      value: load.withSnapshots,
      unit: "ms",
      baseline: { name: "read + fold every event (no snapshots)", value: load.without },
      ratio: load.without / load.withSnapshots,
      target: "< 10 ms",
      met: load.withSnapshots < 10,
    },
    {
      name: `bytes per event on disk, realistic 4-step runs (${bytes.events} events): event log`,
      value: bytes.eventsOnly,
      unit: "bytes/event",
    },
    {
      name: "bytes per event on disk including projections and snapshots",
      value: bytes.withProjections,
      unit: "bytes/event",
    },
  ];
}

if (import.meta.main) {
  for (const result of await run()) console.log(JSON.stringify(result));
}
