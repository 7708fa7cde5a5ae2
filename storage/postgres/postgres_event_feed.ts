/**
 * Live events across processes for one workspace: every append notifies
 * channel `writeit_events` with only its workspace and its last global
 * position (`<position>:<workspace>`, NOTIFY is sent on commit); a feed
 * LISTENs on it and, whenever it is woken (a notification, its own commit,
 * a reconnect of the listening connection, or a slow poll while anyone
 * subscribes), reads every event of the workspace after the last position
 * it delivered, in position order, and publishes them to the store's
 * SubscriptionHub. A dropped notification therefore loses nothing: the next
 * wake reads from where the feed stopped.
 *
 * Positions never skip an event committed out of order because appends to
 * one workspace take a transaction advisory lock before drawing their
 * positions (see postgres_event_store.ts): a position becomes visible only
 * after every smaller position of that workspace is.
 */
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import { type StoredEvent, upcastEvent } from "../../engine/events/event_upcasters.ts";
import type { SubscriptionHub } from "../../engine/events/subscription_hub.ts";
import type { Sql } from "./postgres_connection.ts";

/** The channel appends notify. */
export const EVENTS_CHANNEL = "writeit_events";

/** Events read per query while catching up. */
const PAGE = 500;

/** Options of a feed. */
export interface EventFeedOptions {
  workspace: string;
  hub: SubscriptionHub;
  /** How often to read anyway while someone subscribes (default 1000 ms). */
  pollIntervalMs?: number;
}

/** The payload of a notification for `position` in `workspace`. */
export function eventsNotification(position: number, workspace: string): string {
  return `${position}:${workspace}`;
}

/** Feeds a workspace's SubscriptionHub from the database. */
export class PostgresEventFeed {
  readonly #sql: Sql;
  readonly #workspace: string;
  readonly #hub: SubscriptionHub;
  readonly #pollIntervalMs: number;
  #seen = 0;
  #fetching = false;
  #again = false;
  #poller?: ReturnType<typeof setInterval>;
  #unlisten?: () => Promise<void>;
  #closed = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(sql: Sql, options: EventFeedOptions) {
    this.#sql = sql;
    this.#workspace = options.workspace;
    this.#hub = options.hub;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Starts listening and takes the workspace's current last position as "now". */
  async start(): Promise<void> {
    const listening = await this.#sql.listen(EVENTS_CHANNEL, (payload) => {
      const colon = payload.indexOf(":");
      if (payload.slice(colon + 1) !== this.#workspace) return;
      this.committed(Number(payload.slice(0, colon)));
    }, () => this.wake());
    this.#unlisten = () => listening.unlisten();
    const [row] = await this.#sql<{ position: number }[]>`
      select coalesce(max(position), 0)::bigint as position from writeit_events
      where workspace = ${this.#workspace}`;
    this.#seen = Math.max(this.#seen, row?.position ?? 0);
  }

  /**
   * Something committed up to `position`: read it when anyone subscribes;
   * else just move "now" there (every smaller position is committed too).
   */
  committed(position: number): void {
    if (this.#hub.size === 0 && !this.#fetching) {
      this.#seen = Math.max(this.#seen, position);
      return;
    }
    this.wake();
  }

  /** Called after the hub gained or lost subscribers: polls while it has any. */
  subscribersChanged(): void {
    if (this.#hub.size > 0 && this.#poller === undefined && !this.#closed) {
      this.#poller = setInterval(() => this.wake(), this.#pollIntervalMs);
      this.wake();
    } else if (this.#hub.size === 0 && this.#poller !== undefined) {
      clearInterval(this.#poller);
      this.#poller = undefined;
    }
  }

  /** Reads and publishes what was committed since the last delivered position. */
  wake(): void {
    if (this.#closed || this.#hub.size === 0) return;
    if (this.#fetching) {
      this.#again = true;
      return;
    }
    this.#fetching = true;
    this.#idle = this.#catchUp().finally(() => {
      this.#fetching = false;
    });
  }

  async #catchUp(): Promise<void> {
    try {
      do {
        this.#again = false;
        const rows = await this.#sql<(StoredEvent & { position: number })[]>`
          select position, id, run_id as "runId", sequence, type,
            schema_version as "schemaVersion", time, data, metadata
          from writeit_events
          where workspace = ${this.#workspace} and position > ${this.#seen}
          order by position limit ${PAGE}`;
        for (const { position, ...row } of rows) {
          this.#seen = position;
          let event: EventEnvelope;
          try {
            event = upcastEvent(row);
          } catch {
            continue;
          }
          this.#hub.publish(event);
        }
        if (rows.length === PAGE) this.#again = true;
      } while (this.#again && !this.#closed && this.#hub.size > 0);
    } catch {
      // The connection failed or the pool is ending: the next notification, poll or
      // reconnect reads again from the last delivered position.
    }
  }

  /** Stops listening and polling; waits for a read under way. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poller !== undefined) clearInterval(this.#poller);
    this.#poller = undefined;
    await this.#idle;
    await this.#unlisten?.().catch(() => undefined);
  }
}
