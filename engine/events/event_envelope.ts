/**
 * The envelope every stored event travels in: a unique id, the run it belongs
 * to, its per-run sequence number (1-based, gapless), its type and schema
 * version, the time it was written, its data, and metadata that ties it to
 * the request that caused it. `NewEvent` is what deciders produce and stores
 * accept; the store stamps the rest.
 *
 * @example
 * ```ts
 * const event: NewEvent = { type: "run_paused", data: { reason: "lunch" } };
 * ```
 */
import type { RunEvent, RunEventOf, RunEventType } from "./run_events.ts";

/** Ties an event to the request that caused it. */
export interface EventMetadata {
  /** Shared by every event written for one user request or executor action. */
  correlationId: string;
  /** Id of the event (or command) that caused this one. */
  causationId?: string;
  /** Who acted: `"cli"`, `"api:<token name>"`, `"executor"`, … */
  actor?: string;
}

/** Fields the store adds to a `{ type, data }` pair. */
export interface EnvelopeFields {
  /** Globally unique event id. */
  id: string;
  /** The run whose stream holds the event (for a branch's shared prefix: the parent). */
  runId: string;
  /** Position in the run's stream: 1-based, gapless, continuing a parent's at a branch. */
  sequence: number;
  /** Schema version of `data` as stored (after upcasting: the current one). */
  schemaVersion: number;
  /** ISO 8601 time the event was appended. */
  time: string;
  metadata: EventMetadata;
}

/** A stored event: a typed `{ type, data }` pair plus its envelope fields. */
export type EventEnvelope = RunEvent & EnvelopeFields;

/** A stored event of one given type. */
export type EventEnvelopeOf<T extends RunEventType> = RunEventOf<T> & EnvelopeFields;

/**
 * An event about to be appended. `id`, `time` and `metadata.correlationId`
 * are filled in by the store (from its EngineContext) when absent.
 */
export type NewEvent = RunEvent & {
  id?: string;
  time?: string;
  metadata?: Partial<EventMetadata>;
};
