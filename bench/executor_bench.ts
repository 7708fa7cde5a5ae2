/**
 * Executor benchmarks, on the real LMDB event store in a temporary folder
 * (what users feel), with a test model that waits a fixed latency and then
 * streams a short text (no cache):
 *
 * (a) 1,000 runs of a 4-step pipeline with 50 ms model latency at a
 *     concurrency of 256. Floor, if model calls are the bottleneck:
 *     ceil(1000 / 256) waves × 4 sequential steps × 50 ms = 800 ms (the
 *     same as ceil(4000 calls / 256) × 50 ms). Target: under 1.3× the floor.
 *     Measured twice: 256 calls and 256 runs at once (runs move in waves),
 *     and 256 calls with all 1,000 runs admitted (a run waiting for its
 *     appends leaves its call slot to another run).
 * (b) Engine overhead per step, model time excluded: runs driven one at a
 *     time against a 0 ms model; per-step time minus a raw call to the same
 *     model measured in the same run. Target: p50 under 2 ms.
 */
import { systemContext } from "../engine/context.ts";
import type { LanguageModel, ModelStreamPart } from "../engine/llm/language_model.ts";
import { collectText } from "../engine/llm/language_model.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import { MemoryEventStore } from "../engine/events/memory_event_store.ts";
import { RunService } from "../engine/run_service.ts";
import { openLmdbEventStore } from "../storage/lmdb/lmdb_event_store.ts";
import { type BenchResult, percentile } from "./bench_result.ts";

const PIPELINE = `
metadata:
  name: Bench
defaults:
  model: "offline:bench"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  angles:
    name: Angles
    prompt_template: "Angles on {{ inputs.topic }}"
  outline:
    name: Outline
    prompt_template: "Outline from {{ steps.angles }}"
  draft:
    name: Draft
    prompt_template: "Draft from {{ steps.outline }}"
  polish:
    name: Polish
    prompt_template: "Polish {{ steps.draft }}"
`;

const RUNS = 1000;
const CONCURRENCY = 256;
const LATENCY_MS = 50;
const STEPS = 4;

function benchPipeline(): Pipeline {
  const { value, issues } = loadPipeline(PIPELINE, { id: "bench" });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

/** Waits `latencyMs`, then streams a short text with usage, like a fast provider. */
function latencyModel(latencyMs: number): LanguageModel {
  return {
    provider: "bench",
    modelId: "latency",
    async *stream(request): AsyncIterable<ModelStreamPart> {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const words = [
        "A short ",
        "answer ",
        `for candidate ${request.candidateIndex} `,
        "of the bench.",
      ];
      for (const text of words) yield { type: "text", text };
      yield {
        type: "usage",
        usage: { inputTokens: 12, outputTokens: 8, totalTokens: 20, costUsd: 0, estimated: false },
      };
      yield { type: "finish", reason: "stop" };
    },
  };
}

async function withService<T>(
  latencyMs: number,
  limits: { maxConcurrentCalls: number; maxConcurrentRuns: number },
  task: (service: RunService) => Promise<T>,
  storeKind: "lmdb" | "memory" = "lmdb",
): Promise<T> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-executor-bench-" });
  const context = systemContext();
  const store = storeKind === "lmdb"
    ? openLmdbEventStore(directory, { context })
    : new MemoryEventStore({ context });
  const model = latencyModel(latencyMs);
  const service = new RunService({
    store,
    models: { resolve: () => model },
    context,
    workspace: "bench",
    limits,
  });
  try {
    return await task(service);
  } finally {
    await service.close();
    await store.close();
    await Deno.remove(directory, { recursive: true });
  }
}

async function concurrentRuns(pipeline: Pipeline, runsAdmitted: number): Promise<BenchResult> {
  const floorMs = Math.ceil(RUNS / CONCURRENCY) * STEPS * LATENCY_MS;
  const elapsed = await withService(
    LATENCY_MS,
    { maxConcurrentCalls: CONCURRENCY, maxConcurrentRuns: runsAdmitted },
    async (service) => {
      const start = performance.now();
      const states = await Promise.all(
        Array.from({ length: RUNS }, async (_, index) => {
          const run = await service.createRun(pipeline, { inputs: { topic: `topic ${index}` } });
          return await service.advance(run.runId, { autoSelect: true });
        }),
      );
      const took = performance.now() - start;
      const failed = states.filter((state) => state.status !== "completed").length;
      if (failed > 0) throw new Error(`${failed} bench runs did not complete`);
      return took;
    },
  );
  const ratio = elapsed / floorMs;
  return {
    name:
      `${RUNS} runs × ${STEPS} steps, ${LATENCY_MS} ms model, ${CONCURRENCY} calls and ${runsAdmitted} runs at once (LMDB)`,
    value: elapsed,
    unit: "ms",
    baseline: {
      name: `floor ceil(${RUNS}/${CONCURRENCY})×${STEPS}×${LATENCY_MS} ms`,
      value: floorMs,
    },
    ratio,
    target: "< 1.3x floor",
    met: ratio < 1.3,
  };
}

async function perStepSamples(
  pipeline: Pipeline,
  raw: number,
  storeKind: "lmdb" | "memory",
): Promise<number[]> {
  return await withService(0, { maxConcurrentCalls: 8, maxConcurrentRuns: 4 }, async (service) => {
    const samples: number[] = [];
    for (let index = 0; index < 230; index++) {
      const run = await service.createRun(pipeline, { inputs: { topic: `topic ${index}` } });
      const start = performance.now();
      await service.advance(run.runId, { autoSelect: true });
      const took = performance.now() - start;
      if (index >= 30) samples.push(took / STEPS - raw); // the first runs warm the JIT and LMDB
    }
    return samples;
  }, storeKind);
}

async function overheadPerStep(pipeline: Pipeline): Promise<BenchResult[]> {
  const model = latencyModel(0);
  const rawCalls: number[] = [];
  for (let index = 0; index < 400; index++) {
    const start = performance.now();
    await collectText(
      model.stream({ messages: [{ role: "user", content: "x" }], candidateIndex: 0 }),
    );
    rawCalls.push(performance.now() - start);
  }
  const raw = percentile(rawCalls, 50);
  const perStep = await perStepSamples(pipeline, raw, "lmdb");
  const inMemory = await perStepSamples(pipeline, raw, "memory");
  const p50 = percentile(perStep, 50);
  return [
    {
      name: "engine overhead per step, model time excluded (LMDB, sequential runs), p50",
      value: p50,
      unit: "ms",
      baseline: { name: "raw 0 ms model call p50", value: raw },
      target: "< 2 ms",
      met: p50 < 2,
    },
    {
      name: "engine overhead per step, p90 (LMDB)",
      value: percentile(perStep, 90),
      unit: "ms",
    },
    {
      name: "engine overhead per step, in-memory event store (engine alone), p50",
      value: percentile(inMemory, 50),
      unit: "ms",
      target: "< 2 ms",
      met: percentile(inMemory, 50) < 2,
    },
  ];
}

/** Runs the executor benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const pipeline = benchPipeline();
  const overhead = await overheadPerStep(pipeline);
  const lockstep = await concurrentRuns(pipeline, CONCURRENCY);
  const admitted = await concurrentRuns(pipeline, RUNS);
  return [lockstep, admitted, ...overhead];
}

if (import.meta.main) {
  for (const result of await run()) console.log(JSON.stringify(result));
}
