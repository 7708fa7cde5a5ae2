/**
 * Fan-out of appended events to subscribers, shared by the event stores.
 * Delivers each event at most once per subscriber and in sequence order per
 * run; a subscriber that asked for a replay gets the stored events first and
 * live events that arrived meanwhile after them, without gaps or repeats.
 * A listener that throws is isolated: the error goes to `onListenerError`
 * and other listeners still run.
 */
import type { EventEnvelope } from "./event_envelope.ts";

interface Subscription {
  runId: string;
  listener: (event: EventEnvelope) => void;
  /** Last delivered sequence per run. */
  delivered: Map<string, number>;
  /** Live events held back while a replay is loading. */
  held?: EventEnvelope[];
  closed: boolean;
}

/** Options of a hub. */
export interface SubscriptionHubOptions {
  /** Called when a listener throws (default: ignore). */
  onListenerError?: (error: unknown, event: EventEnvelope) => void;
}

/** Keeps subscribers and delivers events to them. */
export class SubscriptionHub {
  #subscriptions = new Set<Subscription>();
  #options: SubscriptionHubOptions;

  constructor(options: SubscriptionHubOptions = {}) {
    this.#options = options;
  }

  /** Number of active subscriptions. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /**
   * Adds a subscriber for `runId` (or "*"). With `replay`, the stored events
   * it returns are delivered first.
   */
  subscribe(
    runId: string,
    listener: (event: EventEnvelope) => void,
    replay?: () => Promise<EventEnvelope[]>,
  ): () => void {
    const subscription: Subscription = {
      runId,
      listener,
      delivered: new Map(),
      held: replay ? [] : undefined,
      closed: false,
    };
    this.#subscriptions.add(subscription);
    if (replay) {
      const release = (events: EventEnvelope[]) => {
        const held = subscription.held ?? [];
        subscription.held = undefined;
        for (const event of [...events, ...held]) this.#deliver(subscription, event);
      };
      // A replay that fails (the run was deleted meanwhile) still lets live events through.
      replay().then(release, () => release([]));
    }
    return () => {
      subscription.closed = true;
      this.#subscriptions.delete(subscription);
    };
  }

  /** Delivers `event` to every matching subscriber that has not seen it. */
  publish(event: EventEnvelope): void {
    for (const subscription of this.#subscriptions) {
      if (subscription.runId !== "*" && subscription.runId !== event.runId) continue;
      if (subscription.held) subscription.held.push(event);
      else this.#deliver(subscription, event);
    }
  }

  /** Drops every subscription. */
  clear(): void {
    for (const subscription of this.#subscriptions) subscription.closed = true;
    this.#subscriptions.clear();
  }

  #deliver(subscription: Subscription, event: EventEnvelope): void {
    if (subscription.closed) return;
    const last = subscription.delivered.get(event.runId) ?? 0;
    if (event.sequence <= last) return;
    subscription.delivered.set(event.runId, event.sequence);
    try {
      subscription.listener(event);
    } catch (error) {
      this.#options.onListenerError?.(error, event);
    }
  }
}
