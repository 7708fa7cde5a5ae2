/**
 * The step graph of a pipeline: steps are nodes, `depends_on` entries are
 * edges. Gives the order to run steps in (layers whose steps may run
 * concurrently), a step's ancestors (what its templates may read), and the
 * cycles that make a pipeline invalid.
 *
 * @example
 * ```ts
 * executionLayers(pipeline); // [["brief"], ["research", "audience_map"], ["outline"]]
 * ```
 */
import { ValidationError } from "./errors.ts";
import type { Pipeline } from "./pipeline_schema.ts";

/** Step id → the ids it depends on. */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

function dependencyMap(pipeline: Pipeline): Map<string, readonly string[]> {
  return new Map(pipeline.steps.map((step) => [step.id, step.dependsOn]));
}

/**
 * Steps in topological layers: every step's dependencies are in earlier
 * layers, so the steps of one layer may run concurrently. Within a layer,
 * steps keep file order. Throws ValidationError on a cycle.
 */
export function executionLayers(pipeline: Pipeline): string[][] {
  const dependencies = dependencyMap(pipeline);
  const done = new Set<string>();
  const layers: string[][] = [];
  let remaining = pipeline.steps.map((step) => step.id);
  while (remaining.length > 0) {
    const layer = remaining.filter((id) =>
      (dependencies.get(id) ?? []).every((dependency) => done.has(dependency))
    );
    if (layer.length === 0) {
      const cycle = findCycles(dependencies)[0] ?? remaining;
      throw new ValidationError(`Steps form a cycle: ${cycle.join(" → ")}`);
    }
    for (const id of layer) done.add(id);
    layers.push(layer);
    remaining = remaining.filter((id) => !done.has(id));
  }
  return layers;
}

/** Every step `stepId` depends on, directly or through others (not the step itself). */
export function stepAncestors(pipeline: Pipeline, stepId: string): Set<string> {
  return ancestorsIn(dependencyMap(pipeline), stepId);
}

/** {@linkcode stepAncestors} over a plain dependency map (unknown ids are ignored). */
export function ancestorsIn(dependencies: DependencyMap, stepId: string): Set<string> {
  const result = new Set<string>();
  const pending = [...(dependencies.get(stepId) ?? [])];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (result.has(id) || id === stepId || !dependencies.has(id)) continue;
    result.add(id);
    pending.push(...(dependencies.get(id) ?? []));
  }
  return result;
}

/**
 * Each distinct cycle, as the steps in run order with the first repeated at
 * the end: if `outline` depends on `angles` and `angles` on `outline`, the
 * cycle is `["angles", "outline", "angles"]`. Cycles start at the step that
 * comes first in the map; self-dependencies are not reported here.
 */
export function findCycles(dependencies: DependencyMap): string[][] {
  const order = [...dependencies.keys()];
  const position = new Map(order.map((id, index) => [id, index]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];

  const visit = (id: string) => {
    state.set(id, "visiting");
    stack.push(id);
    for (const dependency of dependencies.get(id) ?? []) {
      if (dependency === id || !dependencies.has(dependency)) continue;
      const status = state.get(dependency);
      if (status === "visiting") {
        // stack from `dependency` to `id` is a chain of "depends on"; reverse it for run order.
        const members = stack.slice(stack.indexOf(dependency)).reverse();
        let start = 0;
        members.forEach((member, index) => {
          if (position.get(member)! < position.get(members[start])!) start = index;
        });
        const rotated = [...members.slice(start), ...members.slice(0, start)];
        const key = [...rotated].sort().join("\u0000");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]]);
        }
      } else if (status === undefined) {
        visit(dependency);
      }
    }
    stack.pop();
    state.set(id, "done");
  };

  for (const id of order) if (!state.has(id)) visit(id);
  return cycles;
}
