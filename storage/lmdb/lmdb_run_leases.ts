/**
 * Run leases kept in the workspace's LMDB environment, so that one run is
 * driven by one process at a time across every process sharing the
 * workspace (a CLI and a server, several server workers). A lease expires
 * after its ttl unless renewed; a lease whose holder was a process on this
 * machine that no longer exists (killed, crashed) is taken over at once, so
 * `writeit resume` right after a SIGKILL works.
 *
 * Commits: taking a lease is one write transaction (the check and the claim,
 * serialised by LMDB across processes). Giving one up does not wait for a
 * commit of its own: the removal is written `RELEASE_DELAY_MS` later, or at
 * `flush()` (the backend's close). When this process takes the same run
 * again before then (a pick, then `advance`), it takes its lease back: with
 * no write at all when the same driver asks and the lease has most of its
 * lifetime left, else with one transaction that also replaces the old claim.
 * Until the removal is written, other processes see the run as driven, so
 * one that finds a run held by another process looks again once, after that
 * delay, before it reports the conflict; a process that dies first leaves a
 * lease that is taken over at once, as above.
 */
import { processExists } from "../local_process.ts";
import { hostname } from "node:os";
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";
import { ConflictError } from "../../engine/errors.ts";
import type { EngineContext } from "../../engine/context.ts";
import {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_TTL_MS,
  type RunLease,
  type RunLeases,
} from "../../engine/run_lease.ts";
import type { Database } from "lmdb";
import type { WorkspaceDatabase } from "./workspace_database.ts";

interface StoredLease {
  owner: string;
  token: string;
  expiresAt: number;
  /** The holding process, to take over a lease whose process died. */
  host?: string;
  pid?: number;
}

/** Whether a lease still binds: not expired, and not held by a dead process of this machine. */
function binding(lease: StoredLease | undefined, now: number, host: string): boolean {
  if (!lease || lease.expiresAt <= now) return false;
  if (lease.host === host && lease.pid !== undefined && lease.pid !== process.pid) {
    return processExists(lease.pid);
  }
  return true;
}

/** How long a given-up lease waits before its removal is written (unless taken back first). */
export const RELEASE_DELAY_MS = 25;

/** A lease this process gave up whose removal is not written yet. */
interface PendingRelease {
  token: string;
  owner: string;
  timer: ReturnType<typeof setTimeout>;
  /** Writes the removal now (if the lease is still this token's). */
  write(): Promise<void>;
}

/**
 * Releases not written yet, by environment folder then run: every LmdbRunLeases of this
 * process on the same folder sees them (tests open one folder twice to stand for two processes).
 */
const pendingReleases = new Map<string, Map<string, PendingRelease>>();

/** Leases in the store "run_leases" of a workspace environment. */
export class LmdbRunLeases implements RunLeases {
  readonly #database: WorkspaceDatabase;
  readonly #context: EngineContext;
  readonly #pending: Map<string, PendingRelease>;

  constructor(database: WorkspaceDatabase, context: EngineContext) {
    this.#database = database;
    this.#context = context;
    let pending = pendingReleases.get(database.path);
    if (!pending) {
      pending = new Map();
      pendingReleases.set(database.path, pending);
    }
    this.#pending = pending;
  }

  /** Writes every release still waiting, in one transaction (call before closing the environment). */
  async flush(): Promise<void> {
    const waiting = [...this.#pending.values()];
    for (const release of waiting) clearTimeout(release.timer);
    await Promise.all(waiting.map((release) => release.write()));
  }

  async acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease> {
    const store = this.#database.openStore<StoredLease, string>("run_leases");
    const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const host = hostname();
    const given = this.#pending.get(runId);
    if (given) {
      clearTimeout(given.timer);
      this.#pending.delete(runId);
      const current = store.get(runId);
      const now = this.#context.now().getTime();
      if (
        current?.token === given.token && current.owner === options.owner &&
        current.pid === process.pid && current.expiresAt - now >= (ttl * 2) / 3
      ) {
        // Taken back by the driver that gave it up, before anyone else could see it free.
        return this.#held(store, runId, options.owner, given.token, ttl);
      }
    }
    const token = this.#context.newId();
    const claim = () =>
      this.#database.transaction(() => {
        const now = this.#context.now().getTime();
        const current = store.get(runId);
        const ours = given !== undefined && current?.token === given.token;
        if (!ours && binding(current, now, host)) return current;
        store.putSync(runId, {
          owner: options.owner,
          token,
          expiresAt: now + ttl,
          host,
          pid: process.pid,
        });
        return undefined;
      });
    let holder = await claim();
    if (holder && (holder.host !== host || holder.pid !== process.pid)) {
      // Another process may have given it up already, its removal not yet written: look again.
      await new Promise((resolve) => setTimeout(resolve, RELEASE_DELAY_MS + 15));
      holder = await claim();
    }
    if (holder) {
      throw new ConflictError(
        `Run "${runId}" is being driven by ${holder.owner}: wait for it to stop, or pause it there`,
        { code: "run_leased" },
      );
    }
    return this.#held(store, runId, options.owner, token, ttl);
  }

  /** The lease `token` on `runId`, held by this process. */
  #held(
    leases: Database<StoredLease, string>,
    runId: string,
    owner: string,
    token: string,
    ttl: number,
  ): RunLease {
    const lost = () =>
      new ConflictError(`The lease on run "${runId}" was lost: another driver took it`, {
        code: "run_leased",
      });
    let released = false;
    return {
      runId,
      owner,
      renew: async () => {
        const kept = await this.#database.transaction(() => {
          const current = leases.get(runId);
          if (current?.token !== token) return false;
          leases.putSync(runId, { ...current, expiresAt: this.#context.now().getTime() + ttl });
          return true;
        });
        if (!kept) throw lost();
      },
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        const write = async () => {
          if (this.#pending.get(runId) === pending) this.#pending.delete(runId);
          await this.#database.transaction(() => {
            if (leases.get(runId)?.token === token) leases.removeSync(runId);
          });
        };
        const pending: PendingRelease = {
          token,
          owner,
          write,
          timer: setTimeout(() => {
            write().catch(() => undefined); // closed meanwhile: the lease expires, or its process is gone
          }, RELEASE_DELAY_MS),
        };
        pending.timer.unref();
        const previous = this.#pending.get(runId);
        if (previous) {
          clearTimeout(previous.timer);
          previous.write().catch(() => undefined);
        }
        this.#pending.set(runId, pending);
        return Promise.resolve();
      },
    };
  }
}
