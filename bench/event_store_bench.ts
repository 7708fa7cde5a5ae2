/**
 * Event store benchmarks (issue 3 targets), each against a baseline measured
 * in the same run:
 * - aggregate append throughput with 100 concurrent runs, each awaiting its
 *   durable append before the next (closed loop), with 10 events and with 1
 *   event per append, against raw lmdb batched `put`s of the same stored
 *   payloads and against the bare-LMDB floor of the same loop (100 writers
 *   each awaiting a durable group commit of raw puts: no store logic at
 *   all); also the CPU time per event, all threads included;
 * - latency of one awaited append under load: open loop (appends arrive at a
 *   fixed rate whatever the store is doing, counted from when each was due)
 *   and saturated (closed loop, where latency is runs / throughput), both
 *   against the floor under the same load;
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
import { LmdbEventStore, openLmdbEventStore } from "../storage/lmdb/lmdb_event_store.ts";
import { openWorkspaceDatabase } from "../storage/lmdb/workspace_database.ts";

const RUNS = 100;
const EVENTS_PER_RUN = 300;
/**
 * Offered load of the open-loop latency rows, in events/s over all runs: 100
 * runs each appending 100 events a second, far more than people and models
 * produce (a run makes a few events a minute), and about a third of what the
 * store sustains when saturated on a 2-core machine.
 */
const OPEN_LOOP_RATE = 10_000;

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

/** Appends one unit of work (`count` events) for `run`; resolves once it is acknowledged. */
type AppendOne = (run: number, count: number) => Promise<void>;

/** A workload target: its `append`, and what to do once the workload is over. */
interface Writer {
  append: AppendOne;
  /** Events stored per run since `measure()`, as the raw baseline should write them. */
  payloads: unknown[][];
  /** Starts counting (CPU, commits, payloads) from now: call it after a warm-up. */
  measure(): void;
  finish(): Promise<{ cpuMicroseconds: number; appendsPerCommit?: number }>;
}

/**
 * The event store: run `run-N` is created first, then every call appends
 * `count` filler events at the run's head and awaits the durable acknowledgement.
 */
async function storeWriter(
  runs: number,
  options: { durability?: "flushed" | "committed"; keepPayloads?: boolean } = {},
): Promise<Writer> {
  const { durability = "flushed", keepPayloads = true } = options;
  const directory = await tempDir();
  const store = openLmdbEventStore(directory, { context: systemContext(), durability });
  const created = decide(CREATE, initialState())[0];
  await Promise.all(
    Array.from(
      { length: runs },
      (_, run) => store.append(`run-${run}`, [created], { expectedVersion: 0 }),
    ),
  );
  const versions = new Array<number>(runs).fill(1);
  const payloads: unknown[][] = Array.from({ length: runs }, () => []);
  let before = store.stats();
  let cpu = process.cpuUsage();
  return {
    payloads,
    measure() {
      before = store.stats();
      cpu = process.cpuUsage();
      for (const stored of payloads) stored.length = 0;
    },
    async append(run, count) {
      const runId = `run-${run}`;
      const events = Array.from(
        { length: count },
        (_, offset) => fillerEvent(runId, versions[run] + offset),
      );
      const result = await store.append(runId, events, { expectedVersion: versions[run] });
      versions[run] = result.lastSequence;
      if (!keepPayloads) return;
      for (const event of result.events) {
        payloads[run].push([
          event.id,
          event.type,
          event.schemaVersion,
          event.time,
          event.data,
          event.metadata,
        ]);
      }
    },
    async finish() {
      const used = process.cpuUsage(cpu);
      const after = store.stats();
      await store.close();
      await Deno.remove(directory, { recursive: true });
      return {
        cpuMicroseconds: used.user + used.system,
        appendsPerCommit: (after.appends - before.appends) /
          Math.max(1, after.commits - before.commits),
      };
    },
  };
}

/**
 * The floor of the same workload: every call puts one raw stored event per
 * event and awaits a durable commit; the puts waiting at a time share one
 * transaction (group commit). The event store's commit pattern without any
 * of its work (no checks, no state, no projections, no snapshots).
 */
async function rawGroupCommitWriter(runs: number): Promise<Writer> {
  const directory = await tempDir();
  const database = openWorkspaceDatabase(directory);
  const store = database.openStore<unknown, [string, number]>("raw_events");
  const versions = new Array<number>(runs).fill(1);
  let waiting: { key: [string, number]; value: unknown }[] = [];
  let resolvers: (() => void)[] = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    let batch: typeof waiting = [];
    let done: typeof resolvers = [];
    const committed = database.transaction(() => {
      scheduled = false;
      [batch, waiting, done, resolvers] = [waiting, [], resolvers, []];
      for (const { key, value } of batch) store.putSync(key, value);
    });
    const flushed = new Promise((resolve) => database.root.flushed.then(resolve));
    committed.then(() => flushed).then(() => done.forEach((resolve) => resolve()));
  };
  let cpu = process.cpuUsage();
  return {
    payloads: [],
    measure() {
      cpu = process.cpuUsage();
    },
    append(run, count) {
      return new Promise<void>((resolve) => {
        const runId = `run-${run}`;
        for (let offset = 0; offset < count; offset++) {
          const sequence = ++versions[run];
          const event = fillerEvent(runId, sequence);
          waiting.push({
            key: [runId, sequence],
            value: [
              crypto.randomUUID(),
              event.type,
              1,
              new Date().toISOString(),
              event.data,
              { correlationId: crypto.randomUUID() },
            ],
          });
        }
        resolvers.push(resolve);
        schedule();
      });
    },
    async finish() {
      const used = process.cpuUsage(cpu);
      await database.close();
      await Deno.remove(directory, { recursive: true });
      return { cpuMicroseconds: used.user + used.system };
    },
  };
}

/**
 * Closed loop: each of `runs` runs awaits its append before it makes the
 * next one, as a run's journal does. A warm-up round of `warmup` appends per
 * run goes first and is not counted.
 */
async function closedLoop(
  writer: Writer,
  runs: number,
  options: { appends: number; count: number; warmup: number },
): Promise<{ eventsPerSecond: number; latencies: number[] }> {
  const loop = async (appends: number, latencies?: number[]) => {
    await Promise.all(Array.from({ length: runs }, async (_, run) => {
      for (let index = 0; index < appends; index++) {
        const began = performance.now();
        await writer.append(run, options.count);
        latencies?.push(performance.now() - began);
      }
    }));
  };
  await loop(options.warmup);
  writer.measure();
  const latencies: number[] = [];
  const start = performance.now();
  await loop(options.appends, latencies);
  const seconds = (performance.now() - start) / 1000;
  return { eventsPerSecond: (runs * options.appends * options.count) / seconds, latencies };
}

/**
 * Open loop: appends of one event arrive at `rate` per second in all,
 * spread evenly over `runs` runs, whatever the store is doing; a run's
 * appends stay in order (one awaited at a time, the next queued behind it,
 * as a run's journal does). Latency counts from the moment an append was due,
 * so time spent queued (or late timers) is included. The first
 * `warmupSeconds` are not counted.
 */
async function openLoop(
  writer: Writer,
  runs: number,
  options: { rate: number; seconds: number; warmupSeconds: number },
): Promise<number[]> {
  const total = Math.round(options.rate * (options.seconds + options.warmupSeconds));
  const skip = Math.round(options.rate * options.warmupSeconds);
  const latencies: number[] = [];
  const chains = Array.from({ length: runs }, () => Promise.resolve());
  const start = performance.now();
  let issued = 0;
  await new Promise<void>((finished) => {
    const tick = () => {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - start) * options.rate) / 1000) + 1,
      );
      for (; issued < due; issued++) {
        const number = issued;
        const run = number % runs;
        const dueAt = start + (number * 1000) / options.rate;
        chains[run] = chains[run].then(() => writer.append(run, 1)).then(() => {
          if (number >= skip) latencies.push(performance.now() - dueAt);
        });
      }
      if (issued < total) setTimeout(tick, 1);
      else finished();
    };
    tick();
  });
  await Promise.all(chains);
  return latencies;
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

/** Closed-loop throughput and latencies of `writer`, then its counters. */
async function measureClosedLoop(
  writer: Writer,
  runs: number,
  options: { appends: number; count: number; warmup: number },
) {
  const measured = await closedLoop(writer, runs, options);
  const events = runs * options.appends * options.count;
  const { cpuMicroseconds, appendsPerCommit } = await writer.finish();
  return {
    ...measured,
    payloads: writer.payloads,
    cpuMicrosecondsPerEvent: cpuMicroseconds / events,
    appendsPerCommit,
  };
}

async function measureOpenLoop(writer: Writer, rate: number): Promise<number[]> {
  const latencies = await openLoop(writer, RUNS, { rate, seconds: 2, warmupSeconds: 0.5 });
  await writer.finish();
  return latencies;
}

/** Runs the event store benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const shape = { appends: EVENTS_PER_RUN, count: 1, warmup: 50 };
  const unkept = { keepPayloads: false };
  const single = await measureClosedLoop(await storeWriter(RUNS), RUNS, shape);
  const raw = await rawPutThroughput(single.payloads);
  const floor = await measureClosedLoop(await rawGroupCommitWriter(RUNS), RUNS, shape);
  const committed = await measureClosedLoop(
    await storeWriter(RUNS, { durability: "committed", keepPayloads: false }),
    RUNS,
    shape,
  );
  const batched = await measureClosedLoop(await storeWriter(RUNS), RUNS, {
    appends: EVENTS_PER_RUN / 10,
    count: 10,
    warmup: 5,
  });
  const rawBatched = await rawPutThroughput(batched.payloads);
  const light = await measureClosedLoop(await storeWriter(10, unkept), 10, shape);
  const open = await measureOpenLoop(await storeWriter(RUNS, unkept), OPEN_LOOP_RATE);
  const openFloor = await measureOpenLoop(await rawGroupCommitWriter(RUNS), OPEN_LOOP_RATE);
  const heavy = await measureOpenLoop(await storeWriter(RUNS, unkept), 2 * OPEN_LOOP_RATE);
  const heavyFloor = await measureOpenLoop(await rawGroupCommitWriter(RUNS), 2 * OPEN_LOOP_RATE);
  const load = await loadLongRun();
  const bytes = await bytesPerEvent();
  const p99 = (latencies: number[]) => percentile(latencies, 99);
  const openP99 = p99(open);
  const floorBaseline = (name: string, value: number) => ({
    name: `bare-LMDB floor, ${name}`,
    value,
  });
  return [
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
      name: `append throughput, ${RUNS} concurrent runs, 1 event per awaited append`,
      value: single.eventsPerSecond,
      unit: "events/s",
      baseline: floorBaseline("same closed loop", floor.eventsPerSecond),
      ratio: single.eventsPerSecond / floor.eventsPerSecond,
    },
    {
      name:
        `bare-LMDB floor: ${RUNS} writers each awaiting a durable group commit of 1 raw put per event`,
      value: floor.eventsPerSecond,
      unit: "events/s",
      baseline: { name: "raw lmdb batched put, same payloads", value: raw },
      ratio: floor.eventsPerSecond / raw,
    },
    {
      name: "CPU per event, 1 event per append, all threads (user + system)",
      value: single.cpuMicrosecondsPerEvent,
      unit: "µs",
      baseline: floorBaseline("same closed loop", floor.cpuMicrosecondsPerEvent),
      ratio: single.cpuMicrosecondsPerEvent / floor.cpuMicrosecondsPerEvent,
    },
    {
      name:
        `append throughput, ${RUNS} concurrent runs, 1 event per append, ack on commit (not flush)`,
      value: committed.eventsPerSecond,
      unit: "events/s",
      baseline: floorBaseline("same closed loop, durable", floor.eventsPerSecond),
      ratio: committed.eventsPerSecond / floor.eventsPerSecond,
    },
    {
      name: "group commit: appends per commit (1 event per append)",
      value: single.appendsPerCommit ?? NaN,
      unit: "appends/commit",
    },
    {
      name: `one awaited append, ${RUNS} runs at ${
        OPEN_LOOP_RATE.toLocaleString("en-US")
      } events/s (open loop), p50`,
      value: percentile(open, 50),
      unit: "ms",
      baseline: floorBaseline("same load, p50", percentile(openFloor, 50)),
      ratio: percentile(open, 50) / percentile(openFloor, 50),
    },
    {
      name: `one awaited append, ${RUNS} runs at ${
        OPEN_LOOP_RATE.toLocaleString("en-US")
      } events/s (open loop), p99`,
      value: openP99,
      unit: "ms",
      baseline: floorBaseline("same load, p99", p99(openFloor)),
      ratio: openP99 / p99(openFloor),
      target: "< 5 ms",
      met: openP99 < 5,
    },
    {
      name: `one awaited append, ${RUNS} runs at ${
        (2 * OPEN_LOOP_RATE).toLocaleString("en-US")
      } events/s (open loop), p99`,
      value: p99(heavy),
      unit: "ms",
      baseline: floorBaseline("same load, p99", p99(heavyFloor)),
      ratio: p99(heavy) / p99(heavyFloor),
    },
    {
      name: `one awaited append, ${RUNS} runs saturating the store (closed loop), p50`,
      value: percentile(single.latencies, 50),
      unit: "ms",
      baseline: floorBaseline("saturated, p50", percentile(floor.latencies, 50)),
      ratio: percentile(single.latencies, 50) / percentile(floor.latencies, 50),
    },
    {
      name: `one awaited append, ${RUNS} runs saturating the store (closed loop), p99`,
      value: p99(single.latencies),
      unit: "ms",
      baseline: floorBaseline("saturated, p99", p99(floor.latencies)),
      ratio: p99(single.latencies) / p99(floor.latencies),
    },
    {
      name: "one awaited append, 10 runs saturating the store (closed loop), p99",
      value: p99(light.latencies),
      unit: "ms",
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
