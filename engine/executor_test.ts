/**
 * The executor's lease renewal runs on the context's clock: with a fixed
 * clock, a run in progress keeps its lease exactly as long as the clock is
 * advanced past the renewal interval, loses nothing when it is not, and stops
 * when a renewal finds the lease lost.
 */
import assert from "node:assert/strict";
import { fixedContext } from "./context.ts";
import { ConflictError } from "./errors.ts";
import { LEASE_RENEWAL_MS } from "./executor.ts";
import { MemoryEventStore } from "./events/memory_event_store.ts";
import type { LanguageModel, ModelStreamPart } from "./llm/language_model.ts";
import { createOfflineModel } from "./llm/offline_model.ts";
import { loadPipeline } from "./pipeline_loader.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_TTL_MS,
  MemoryRunLeases,
  type RunLease,
  type RunLeases,
} from "./run_lease.ts";
import { RunService } from "./run_service.ts";

const ONE_STEP = `
metadata:
  name: "One step"
defaults:
  model: "offline:writer"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  draft:
    name: Draft
    prompt_template: "Write about {{ inputs.topic }}."
`;

function onePipeline(): Pipeline {
  const { value, issues } = loadPipeline(ONE_STEP, { id: "one" });
  if (!value) throw new Error(issues.map((issue) => issue.message).join("\n"));
  return value;
}

/** The offline model, held at the start of each call until `open()` (or the call's abort). */
function gatedModel(model: LanguageModel) {
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const gated: LanguageModel = {
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, options): AsyncIterable<ModelStreamPart> {
      started.resolve();
      const aborted = new Promise<void>((resolve) =>
        options?.signal?.addEventListener("abort", () => resolve(), { once: true })
      );
      await Promise.race([gate.promise, aborted]);
      options?.signal?.throwIfAborted();
      yield* model.stream(request, options);
    },
  };
  return { model: gated, started: started.promise, open: () => gate.resolve() };
}

/** MemoryRunLeases that counts renewals and can be made to lose every lease. */
class ObservedLeases implements RunLeases {
  renewals = 0;
  lost = false;
  readonly #inner: MemoryRunLeases;

  constructor(inner: MemoryRunLeases) {
    this.#inner = inner;
  }

  async acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease> {
    const lease = await this.#inner.acquire(runId, options);
    return {
      runId: lease.runId,
      owner: lease.owner,
      renew: () => {
        this.renewals++;
        if (this.lost) {
          return Promise.reject(
            new ConflictError(`The lease on run "${runId}" was lost`, { code: "run_leased" }),
          );
        }
        return lease.renew();
      },
      release: () => lease.release(),
    };
  }
}

function setup() {
  const context = fixedContext();
  const store = new MemoryEventStore({ context });
  const inner = new MemoryRunLeases(context);
  const leases = new ObservedLeases(inner);
  const model = gatedModel(createOfflineModel({ modelId: "writer" }));
  const service = new RunService({
    store,
    models: { resolve: () => model.model },
    context,
    workspace: "test",
    leases,
  });
  return {
    context,
    inner,
    leases,
    model,
    service,
    async close() {
      await service.close();
      await store.close();
    },
  };
}

const isRunLeased = (error: unknown) =>
  error instanceof ConflictError && error.code === "run_leased";

Deno.test("Executor.advance() renews its lease each time the clock passes the renewal interval", async () => {
  const s = setup();
  try {
    const run = await s.service.createRun(onePipeline(), { inputs: { topic: "Zig" } });
    const advancing = s.service.advance(run.runId, { autoSelect: true });
    await s.model.started;

    s.context.advance(LEASE_RENEWAL_MS - 1);
    assert.equal(s.leases.renewals, 0);
    s.context.advance(1);
    assert.equal(s.leases.renewals, 1);
    s.context.advance(DEFAULT_LEASE_TTL_MS);
    assert.equal(s.leases.renewals, 4);
    // Longer than one lease lifetime has passed: only the renewals keep the lease held.
    await assert.rejects(
      () => s.inner.acquire(run.runId, { owner: "another driver" }),
      isRunLeased,
    );

    s.model.open();
    assert.equal((await advancing).status, "completed");
    s.context.advance(DEFAULT_LEASE_TTL_MS);
    assert.equal(s.leases.renewals, 4, "no renewal after advance() returned");
    const next = await s.inner.acquire(run.runId, { owner: "another driver" });
    await next.release();
  } finally {
    await s.close();
  }
});

Deno.test("Executor.advance() stops when a renewal finds its lease lost", async () => {
  const s = setup();
  try {
    const run = await s.service.createRun(onePipeline(), { inputs: { topic: "Odin" } });
    const advancing = s.service.advance(run.runId, { autoSelect: true });
    await s.model.started;
    s.leases.lost = true;
    s.context.advance(LEASE_RENEWAL_MS);
    const stopped = await advancing;
    assert.equal(s.leases.renewals, 1);
    assert.notEqual(stopped.status, "completed");
    assert.equal(stopped.steps.draft.responses.length, 0);
  } finally {
    s.model.open();
    await s.close();
  }
});
