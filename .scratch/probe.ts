/**
 * What one step of an interactive run costs the engine, on the wiring the
 * CLI and the server use (wiring/workspace_services.ts over the LMDB
 * backend: fsync per commit, the two-tier response cache, usage, retry,
 * leases). A 4-step pipeline asks for 3 candidates per step from a model
 * that answers at once (latency 0) and reports no usage (so the usage
 * middleware estimates it), and the run pauses durably after every step for
 * a pick that is made through the engine's API (`select`, then `advance`),
 * one run at a time. Every measure is taken over 3 repetitions (median and
 * range), each repetition on a fresh workspace:
 *
 * - wall time per step, against bare LMDB doing the same number of durable
 *   commits (sequential awaited transactions of one put each, flushed to
 *   disk) measured right after it in the same repetition;
 * - durable write transactions per step (LMDB's transaction id, so every
 *   commit counts: events, leases, cache entries, cache statistics);
 * - CPU time per step (all threads, user + system).
 */
import process from "node:process";
import { join } from "node:path";
import { resolveConfig } from "../config.ts";
import { systemContext } from "../engine/context.ts";
import type { LanguageModel, ModelStreamPart } from "../engine/llm/language_model.ts";
import { ProviderRegistry } from "../engine/llm/provider_registry.ts";
import { loadPipeline } from "../engine/pipeline_loader.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import { runFold } from "../engine/run_evolve.ts";
import { openLmdbBackendAt } from "../storage/lmdb/lmdb_backend.ts";
import {
  openWorkspaceDatabase,
  type WorkspaceDatabase,
} from "../storage/lmdb/workspace_database.ts";
import { createWorkspaceServices } from "../wiring/workspace_services.ts";
import type { BenchResult } from "./bench_result.ts";

const STEPS = ["angles", "outline", "draft", "polish"];
const CANDIDATES = 3;
const REPETITIONS = 3;
const WARM_UP_RUNS = 5;
const MEASURED_RUNS = 3;

const PIPELINE = `
metadata:
  name: Step cost bench
defaults:
  model: "stepbench:zero"
  responses_per_step: ${CANDIDATES}
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  angles:
    name: Angles
    prompt_template: "Suggest angles for an article on {{ inputs.topic }}."
  outline:
    name: Outline
    prompt_template: "Outline the article from this angle:\\n{{ steps.angles }}"
  draft:
    name: Draft
    prompt_template: "Draft the article from this outline:\\n{{ steps.outline }}"
  polish:
    name: Polish
    prompt_template: "Polish this draft:\\n{{ steps.draft }}"
`;

/** About 1.5 kB of prose, different for every prompt and candidate, in chunks of a few words. */
function answerChunks(prompt: string, candidate: number): string[] {
  const seed = `${prompt.length}-${prompt.slice(-24)}-${candidate}`;
  const sentence = `Candidate ${candidate} (${seed}) keeps the reader close to the subject, ` +
    "with concrete detail, a clear order and no wasted words. ";
  const chunks: string[] = [];
  for (let index = 0; index < 12; index++) chunks.push(sentence);
  return chunks;
}

/** A provider whose model answers at once and, like many local servers, reports no usage. */
function zeroLatencyRegistry(): ProviderRegistry {
  const registry = new ProviderRegistry();
  registry.register({
    name: "stepbench",
    create: (modelId): LanguageModel => ({
      provider: "stepbench",
      modelId,
      async *stream(request): AsyncIterable<ModelStreamPart> {
        const prompt = request.messages.at(-1)?.content ?? "";
        for (const text of answerChunks(prompt, request.candidateIndex)) {
          yield { type: "text", text };
        }
        yield { type: "finish", reason: "stop" };
      },
    }),
  });
  return registry;
}

function benchPipeline(): Pipeline {
  const { value, issues } = loadPipeline(PIPELINE, { id: "step-cost" });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

/** LMDB's last committed transaction id: every durable write transaction raises it by one. */
function lastTransactionId(database: WorkspaceDatabase): number {
  return (database.root.getStats() as { lastTxnId: number }).lastTxnId;
}

/** One repetition's totals over its measured runs. */
interface EngineSample {
  wallMs: number;
  cpuMs: number;
  commits: number;
  steps: number;
}

/** Drives `runs` runs one at a time, each pausing after every step for a pick through the API. */
async function engineRepetition(pipeline: Pipeline): Promise<EngineSample> {
  const root = await Deno.makeTempDir({ prefix: "writeit-step-cost-" });
  const context = systemContext();
  const backend = openLmdbBackendAt("bench", root, join(root, "data"), { fold: runFold, context });
  const config = resolveConfig({ home: root, env: {} });
  const { service, close } = await createWorkspaceServices({
    backend,
    config,
    env: {},
    actor: "bench",
    registry: zeroLatencyRegistry(),
  });
  const oneRun = async (index: number) => {
    const created = await service.createRun(pipeline, { inputs: { topic: `topic ${index}` } });
    let state = await service.advance(created.runId);
    for (const stepId of STEPS) {
      if (state.steps[stepId].status !== "awaiting_selection") {
        throw new Error(`Step "${stepId}" is ${state.steps[stepId].status}, not awaiting a pick`);
      }
      await service.select(created.runId, stepId, 0);
      state = await service.advance(created.runId);
    }
    if (state.status !== "completed") throw new Error(`The bench run ended ${state.status}`);
  };
  const root_ = backend.database.root as any;
  const tags = new Map<number, string[]>();
  const tagOf = () => (new Error().stack ?? "").split("\n").slice(2).map((l) => /(storage|engine|wiring)\/[\w/]+\.ts:\d+/.exec(l)?.[0]).filter(Boolean).slice(0, 3).join(" < ");
  const wrap = (target: any, name: string) => {
    const original = target[name].bind(target);
    target[name] = (...args: unknown[]) => {
      const tag = `${name} ${tagOf()}`;
      const result = original(...args);
      Promise.resolve(result).then(() => {
        const id = lastTransactionId(backend.database);
        tags.set(id, [...(tags.get(id) ?? []), tag]);
      });
      return result;
    };
  };
  wrap(root_, "transaction");
  const events_ = backend.events as any;
  const append = events_.append.bind(events_);
  const seq: string[] = [];
  events_.append = (runId: string, events: any[], options: any) => { seq.push(events.map((e: any) => e.type).join(",")); return append(runId, events, options).then((r: any) => { seq.push(`  -> txn ${lastTransactionId(backend.database)}`); return r; }); };
  for (const db of (root_.dbisByName ? Object.values(root_.dbisByName) : [])) { wrap(db, "put"); wrap(db, "remove"); }
  try {
    for (let index = 0; index < WARM_UP_RUNS; index++) await oneRun(index);
    tags.clear(); seq.length = 0;
    const commitsBefore = lastTransactionId(backend.database);
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let index = 0; index < MEASURED_RUNS; index++) await oneRun(WARM_UP_RUNS + index);
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const commits = lastTransactionId(backend.database) - commitsBefore;
    await new Promise((r) => setTimeout(r, 100));
    const counts = new Map<string, number>();
    for (const list of tags.values()) { const key = [...new Set(list)].sort().join("  +  "); counts.set(key, (counts.get(key) ?? 0) + 1); }
    console.log("commits", commits, "tagged", tags.size);
    for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) console.log(v, k);
    console.log(seq.slice(-40).join("\n"));
    Deno.exit(0);
    return {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      commits,
      steps: MEASURED_RUNS * STEPS.length,
    };
  } finally {
    await close();
    await backend.close();
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * Bare LMDB: `commits` sequential transactions of one 2 kB put each, each
 * awaited until on disk; wall and CPU (all threads) in milliseconds.
 */
async function bareCommits(commits: number): Promise<{ wallMs: number; cpuMs: number }> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-step-cost-bare-" });
  const database = openWorkspaceDatabase(directory);
  const store = database.openStore<string, number>("bare", { keyEncoding: "uint32" });
  const value = "x".repeat(2048);
  try {
    for (let index = 0; index < 20; index++) {
      await database.transaction(() => store.putSync(index, value));
      await database.root.flushed;
    }
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let index = 0; index < commits; index++) {
      await database.transaction(() => store.putSync(1000 + index, value));
      await database.root.flushed;
    }
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await database.close();
    await Deno.remove(directory, { recursive: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function range(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** Runs the step-cost benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const pipeline = benchPipeline();
  const perStep: number[] = [];
  const barePerStep: number[] = [];
  const commitsPerStep: number[] = [];
  const cpuPerStep: number[] = [];
  const bareCpuPerStep: number[] = [];
  const floorPerStep: number[] = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const sample = await engineRepetition(pipeline);
    perStep.push(sample.wallMs / sample.steps);
    commitsPerStep.push(sample.commits / sample.steps);
    cpuPerStep.push(sample.cpuMs / sample.steps);
    const bare = await bareCommits(sample.commits);
    barePerStep.push(bare.wallMs / sample.steps);
    bareCpuPerStep.push(bare.cpuMs / sample.steps);
    floorPerStep.push((await bareCommits(2 * sample.steps)).wallMs / sample.steps);
  }
  const wall = median(perStep);
  const bare = median(barePerStep);
  const floor = median(floorPerStep);
  const commits = median(commitsPerStep);
  const cpu = median(cpuPerStep);
  return [
    {
      name:
        `engine overhead per step, model latency 0, ${CANDIDATES} candidates, pause for a pick after each step (LMDB wiring)`,
      value: wall,
      unit: "ms",
      range: range(perStep),
      baseline: { name: "bare LMDB, the same number of durable commits", value: bare },
      ratio: wall / bare,
      target: "<= 1.3x bare LMDB of the same commits",
      met: wall / bare <= 1.3,
    },
    {
      name: "the same, against bare LMDB doing 2 durable commits per step",
      value: wall,
      unit: "ms",
      range: range(perStep),
      baseline: { name: "bare LMDB, 2 durable commits", value: floor },
      ratio: wall / floor,
      target: "<= 1.3x the 2-commit floor",
      met: wall / floor <= 1.3,
    },
    {
      name: "durable write transactions (commits) per step",
      value: commits,
      unit: "commits",
      range: range(commitsPerStep),
      target: "<= 2",
      met: commits <= 2,
    },
    {
      name: "CPU per step, all threads",
      value: cpu,
      unit: "ms",
      range: range(cpuPerStep),
      baseline: { name: "bare LMDB, the same commits", value: median(bareCpuPerStep) },
      ratio: cpu / median(bareCpuPerStep),
      target: "<= 0.5 ms",
      met: cpu <= 0.5,
    },
  ];
}

if (import.meta.main) {
  for (const result of await run()) console.log(JSON.stringify(result));
}
