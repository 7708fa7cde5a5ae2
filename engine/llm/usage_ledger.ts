/**
 * Totals of token usage and cost per step, run, model and workspace, kept
 * apart for what was really spent (live answers) and what the cache saved
 * (hits, at the price of the original answer). `usageLedgerMiddleware` feeds
 * it once per logical call, outermost, where the `cached` flag is final;
 * listeners (the event journal, the dashboard) hear every record.
 *
 * @example
 * ```ts
 * const ledger = new UsageLedger();
 * const model = usageLedgerMiddleware(ledger, { workspace: "default", now: () => new Date() })(inner);
 * ledger.totals().spent.costUsd;
 * ```
 */
import { addUsage, emptyUsage, type TokenUsage } from "../run_model.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";

/** One finished call. */
export interface UsageRecord {
  workspace: string;
  runId?: string;
  stepId?: string;
  provider: string;
  modelId: string;
  usage: TokenUsage;
  /** True for a cache hit: nothing was spent, `usage` is what was saved. */
  cached: boolean;
  /** ISO time the call finished. */
  at: string;
}

/** Spent and saved usage over some set of calls. */
export interface UsageTotals {
  /** Live answers: what was really spent. */
  spent: TokenUsage;
  /** Cache hits: what they would have cost. */
  saved: TokenUsage;
  calls: number;
  cachedCalls: number;
}

function emptyTotals(): UsageTotals {
  return { spent: emptyUsage(), saved: emptyUsage(), calls: 0, cachedCalls: 0 };
}

function addRecord(totals: UsageTotals, record: UsageRecord): void {
  totals.calls++;
  if (record.cached) {
    totals.cachedCalls++;
    totals.saved = addUsage(totals.saved, record.usage);
  } else totals.spent = addUsage(totals.spent, record.usage);
}

/** In-memory usage totals with listeners. */
export class UsageLedger {
  readonly #workspace = emptyTotals();
  readonly #runs = new Map<string, UsageTotals>();
  readonly #steps = new Map<string, UsageTotals>();
  readonly #models = new Map<string, UsageTotals>();
  readonly #listeners = new Set<(record: UsageRecord) => void>();

  /** Adds one call's usage to every total it belongs to, then tells the listeners. */
  record(record: UsageRecord): void {
    const bump = (map: Map<string, UsageTotals>, key: string) => {
      let totals = map.get(key);
      if (!totals) map.set(key, totals = emptyTotals());
      addRecord(totals, record);
    };
    addRecord(this.#workspace, record);
    bump(this.#models, `${record.provider}:${record.modelId}`);
    if (record.runId !== undefined) {
      bump(this.#runs, record.runId);
      if (record.stepId !== undefined) bump(this.#steps, `${record.runId}\u0000${record.stepId}`);
    }
    for (const listener of this.#listeners) listener(record);
  }

  /** Calls `listener` for every record from now on; returns the unsubscribe function. */
  subscribe(listener: (record: UsageRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Totals for the whole workspace (this process). */
  totals(): UsageTotals {
    return structuredClone(this.#workspace);
  }

  /** Totals for one run. */
  runTotals(runId: string): UsageTotals {
    return structuredClone(this.#runs.get(runId) ?? emptyTotals());
  }

  /** Totals for one step of one run. */
  stepTotals(runId: string, stepId: string): UsageTotals {
    return structuredClone(this.#steps.get(`${runId}\u0000${stepId}`) ?? emptyTotals());
  }

  /** Totals per model, keyed `provider:modelId`. */
  modelTotals(): Record<string, UsageTotals> {
    return Object.fromEntries(
      [...this.#models].map(([key, value]) => [key, structuredClone(value)]),
    );
  }
}

/** Options for `usageLedgerMiddleware`. */
export interface UsageLedgerMiddlewareOptions {
  workspace: string;
  now: () => Date;
}

/** Middleware that records each finished call (live or cached) in `ledger`. */
export function usageLedgerMiddleware(
  ledger: UsageLedger,
  options: UsageLedgerMiddlewareOptions,
): LanguageModelMiddleware {
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      let usage: TokenUsage | undefined;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "usage") usage = part.usage;
        else if (part.type === "finish" && usage) {
          ledger.record({
            workspace: options.workspace,
            runId: callOptions.scope?.runId,
            stepId: callOptions.scope?.stepId,
            provider: part.provider ?? model.provider,
            modelId: part.modelId ?? model.modelId,
            usage,
            cached: part.cached ?? false,
            at: options.now().toISOString(),
          });
        }
        yield part;
      }
    },
  });
}
