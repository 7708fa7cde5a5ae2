/**
 * Run leases: one driver per run at a time. `advance` takes the run's lease
 * before generating and releases it when it stops; a second driver gets a
 * ConflictError with code "run_leased" instead of racing the first. The
 * default implementation holds leases in this process; a store shared by
 * several processes can provide one that lives in the store (leases expire
 * after `ttlMs` unless renewed, so a killed driver does not block a resume).
 * Expected versions on every append keep a run consistent even without one.
 *
 * @example
 * ```ts
 * const lease = await leases.acquire("run-1", { owner: "cli:4242" });
 * try { … } finally { await lease.release(); }
 * ```
 */
import type { EngineContext } from "./context.ts";
import { ConflictError } from "./errors.ts";

/** A held lease. */
export interface RunLease {
  readonly runId: string;
  readonly owner: string;
  /** Extends the lease by its ttl; throws ConflictError "run_leased" when it was lost. */
  renew(): Promise<void>;
  /**
   * Gives the lease up (idempotent). A store may write the release a moment
   * after this resolves (the LMDB one does, to spare a commit), provided a
   * later `acquire` is never refused because of it.
   */
  release(): Promise<void>;
}

/** Options of `acquire`. */
export interface AcquireLeaseOptions {
  /** Who drives: `cli:<pid>`, `server:<worker>`. */
  owner: string;
  /** Lease lifetime without renewal (default 30 s). */
  ttlMs?: number;
}

/** Where leases are kept. */
export interface RunLeases {
  /** Takes the lease on `runId`, or throws ConflictError (code "run_leased") naming its holder. */
  acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease>;
}

/** Default lease lifetime. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

interface Held {
  owner: string;
  token: number;
  expiresAt: number;
}

/** Leases held in this process (expiring by the context's clock). */
export class MemoryRunLeases implements RunLeases {
  #held = new Map<string, Held>();
  #context: EngineContext;
  #tokens = 0;

  constructor(context: EngineContext) {
    this.#context = context;
  }

  acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease> {
    const now = this.#context.now().getTime();
    const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const current = this.#held.get(runId);
    if (current && current.expiresAt > now) {
      return Promise.reject(
        new ConflictError(
          `Run "${runId}" is being driven by ${current.owner}: wait for it to stop, or pause it there`,
          { code: "run_leased" },
        ),
      );
    }
    const token = ++this.#tokens;
    this.#held.set(runId, { owner: options.owner, token, expiresAt: now + ttl });
    const held = () => this.#held.get(runId)?.token === token;
    return Promise.resolve({
      runId,
      owner: options.owner,
      renew: () => {
        if (!held()) {
          return Promise.reject(
            new ConflictError(`The lease on run "${runId}" was lost: another driver took it`, {
              code: "run_leased",
            }),
          );
        }
        this.#held.get(runId)!.expiresAt = this.#context.now().getTime() + ttl;
        return Promise.resolve();
      },
      release: () => {
        if (held()) this.#held.delete(runId);
        return Promise.resolve();
      },
    });
  }
}
