/**
 * Run leases in PostgreSQL (`writeit_leases`), so that one run is driven by
 * one process at a time across every instance sharing the database. A
 * lease expires after its ttl unless renewed (heartbeat); once expired,
 * another instance takes it over, and the old holder's next renew fails
 * with ConflictError "run_leased" so it stops driving. A lease held by a
 * process of this machine that no longer exists is taken over at once, as
 * with LMDB, so `writeit resume` right after a SIGKILL works. Each acquire
 * runs in a transaction holding an advisory lock of the run's lease, so two
 * instances racing for a free run cannot both win. Expiry uses the
 * engine's clock, so instances are expected to keep their clocks in sync
 * (NTP); the default ttl of 30 s dwarfs ordinary skew.
 *
 * @example
 * ```ts
 * const leases = new PostgresRunLeases(sql, { workspace: "default", context });
 * const lease = await leases.acquire("run-1", { owner: "server:a" });
 * await lease.release();
 * ```
 */
import { hostname } from "node:os";
import process from "node:process";
import type { EngineContext } from "../../engine/context.ts";
import { ConflictError } from "../../engine/errors.ts";
import {
  type AcquireLeaseOptions,
  DEFAULT_LEASE_TTL_MS,
  type RunLease,
  type RunLeases,
} from "../../engine/run_lease.ts";
import { processExists } from "../local_process.ts";
import { databaseError, type Sql } from "./postgres_connection.ts";

interface LeaseRow {
  owner: string;
  token: string;
  expires_at: number;
  host: string | null;
  pid: number | null;
}

/** Whether a lease still binds: not expired, and not held by a dead process of this machine. */
function binding(lease: LeaseRow | undefined, now: number, host: string): boolean {
  if (!lease || lease.expires_at <= now) return false;
  if (lease.host === host && lease.pid !== null && lease.pid !== process.pid) {
    return processExists(lease.pid);
  }
  return true;
}

/** Leases of one workspace in PostgreSQL. */
export class PostgresRunLeases implements RunLeases {
  readonly #sql: Sql;
  readonly #workspace: string;
  readonly #context: EngineContext;
  readonly #url: string;

  constructor(sql: Sql, options: { workspace: string; context: EngineContext; url?: string }) {
    this.#sql = sql;
    this.#workspace = options.workspace;
    this.#context = options.context;
    this.#url = options.url ?? "postgres";
  }

  async acquire(runId: string, options: AcquireLeaseOptions): Promise<RunLease> {
    const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const token = this.#context.newId();
    const host = hostname();
    const workspace = this.#workspace;
    let holder: LeaseRow | undefined;
    try {
      holder = await this.#sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended(${`writeit.lease:${workspace}:${runId}`}, 0))`;
        const [current] = await tx<LeaseRow[]>`
          select owner, token, expires_at, host, pid from writeit_leases
          where workspace = ${workspace} and run_id = ${runId}`;
        const now = this.#context.now().getTime();
        if (binding(current, now, host)) return current;
        await tx`
          insert into writeit_leases (workspace, run_id, owner, token, expires_at, host, pid)
          values (${workspace}, ${runId}, ${options.owner}, ${token}, ${now + ttl}, ${host},
            ${process.pid})
          on conflict (workspace, run_id) do update set owner = excluded.owner,
            token = excluded.token, expires_at = excluded.expires_at, host = excluded.host,
            pid = excluded.pid`;
        return undefined;
      });
    } catch (error) {
      throw databaseError(this.#url, error);
    }
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
        const expiresAt = this.#context.now().getTime() + ttl;
        const kept = await this.#sql`
          update writeit_leases set expires_at = ${expiresAt}
          where workspace = ${workspace} and run_id = ${runId} and token = ${token}`
          .catch((error) => {
            throw databaseError(this.#url, error);
          });
        if (kept.count === 0) throw lost();
      },
      release: async () => {
        await this.#sql`
          delete from writeit_leases
          where workspace = ${workspace} and run_id = ${runId} and token = ${token}`
          .catch((error) => {
            throw databaseError(this.#url, error);
          });
      },
    };
  }
}
