/**
 * Run leases kept in the workspace's LMDB environment, so that one run is
 * driven by one process at a time across every process sharing the
 * workspace (a CLI and a server, several server workers). A lease expires
 * after its ttl unless renewed; a lease whose holder was a process on this
 * machine that no longer exists (killed, crashed) is taken over at once, so
 * `writeit resume` right after a SIGKILL works.
 */
import { processExists } from "../local_process.ts";
import { hostname } from "node:os";
import process from "node:process";
import { ConflictError } from "../../engine/errors.ts";
import type { EngineContext } from "../../engine/context.ts";
import {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_TTL_MS,
  type RunLease,
  type RunLeases,
} from "../../engine/run_lease.ts";
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

/** Leases in the store "run_leases" of a workspace environment. */
export class LmdbRunLeases implements RunLeases {
  readonly #database: WorkspaceDatabase;
  readonly #context: EngineContext;

  constructor(database: WorkspaceDatabase, context: EngineContext) {
    this.#database = database;
    this.#context = context;
  }

  async acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease> {
    const store = this.#database.openStore<StoredLease>("run_leases");
    const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const token = this.#context.newId();
    const host = hostname();
    const holder = await this.#database.transaction(() => {
      const now = this.#context.now().getTime();
      const current = store.get(runId);
      if (binding(current, now, host)) return current;
      store.putSync(runId, {
        owner: options.owner,
        token,
        expiresAt: now + ttl,
        host,
        pid: process.pid,
      });
      return undefined;
    });
    if (holder) {
      throw new ConflictError(
        `Run "${runId}" is being driven by ${holder.owner}: wait for it to stop, or pause it there`,
        { code: "run_leased" },
      );
    }
    const lost = () =>
      new ConflictError(`The lease on run "${runId}" was lost: another driver took it`, {
        code: "run_leased",
      });
    return {
      runId,
      owner: options.owner,
      renew: async () => {
        const kept = await this.#database.transaction(() => {
          const current = store.get(runId);
          if (current?.token !== token) return false;
          store.putSync(runId, { ...current, expiresAt: this.#context.now().getTime() + ttl });
          return true;
        });
        if (!kept) throw lost();
      },
      release: async () => {
        await this.#database.transaction(() => {
          if (store.get(runId)?.token === token) store.removeSync(runId);
        });
      },
    };
  }
}
