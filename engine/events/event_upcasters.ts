/**
 * Upcasting: stored events keep the schema version they were written with;
 * reading passes them through `upcastEvent`, which applies one step per
 * version until the data has its current shape. Add a step here whenever an
 * event's data changes shape and bump its version in RUN_EVENT_VERSIONS.
 *
 * @example
 * ```ts
 * const current = upcastEvent({ ...stored, type: "step_started", schemaVersion: 1 });
 * ```
 */
import { ValidationError } from "../errors.ts";
import type { EventEnvelope } from "./event_envelope.ts";
import { isRunEventType, RUN_EVENT_VERSIONS, type RunEventType } from "./run_events.ts";

/** Turns data of version `n` into data of version `n + 1`. */
type UpcastStep = (data: Record<string, unknown>) => Record<string, unknown>;

/** Per event type: the step from version `n` (the key) to `n + 1`. */
const UPCASTERS: Partial<Record<RunEventType, Record<number, UpcastStep>>> = {
  step_started: {
    // v1 asked one model for one candidate: `{ stepId, prompt, model, generation? }`.
    1: (data) => {
      const { model, ...rest } = data;
      return {
        ...rest,
        generation: typeof rest.generation === "number" ? rest.generation : 0,
        models: typeof model === "string" ? [model] : [],
        responseCount: 1,
      };
    },
  },
};

/** An event as read from storage: any type name, any version. */
export interface StoredEvent extends Omit<EventEnvelope, "type" | "data"> {
  type: string;
  data: unknown;
}

/**
 * Brings a stored event to the current schema version of its type. Returns
 * the same object when it is already current. Throws ValidationError for an
 * unknown type or a version newer than this code knows (written by a newer
 * WriteIt: upgrade to read it).
 */
export function upcastEvent(stored: StoredEvent): EventEnvelope {
  const { type } = stored;
  if (!isRunEventType(type)) {
    throw new ValidationError(
      `Event ${stored.runId}#${stored.sequence} has unknown type "${type}": it was written by a newer WriteIt; upgrade to read it`,
    );
  }
  const current = RUN_EVENT_VERSIONS[type];
  const version = stored.schemaVersion ?? 1;
  if (version === current) return stored as EventEnvelope;
  if (version > current) {
    throw new ValidationError(
      `Event ${stored.runId}#${stored.sequence} ("${type}") has schema version ${version} but this WriteIt knows ${current}: upgrade WriteIt to read it`,
    );
  }
  let data = stored.data as Record<string, unknown>;
  for (let step = version; step < current; step++) {
    const upcast = UPCASTERS[type]?.[step];
    if (!upcast) {
      throw new ValidationError(
        `No upcaster for "${type}" from version ${step} to ${
          step + 1
        }: add one in engine/events/event_upcasters.ts`,
      );
    }
    data = upcast(data);
  }
  return { ...stored, type, data, schemaVersion: current } as EventEnvelope;
}
