import type { Pipeline, PipelineStep } from "./types";

/**
 * The steps in an order where every step comes after those it needs (Kahn's algorithm, ties in
 * the order they were written); undefined when the steps form a cycle.
 */
export function topologicalOrder(steps: readonly PipelineStep[]): PipelineStep[] | undefined {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const waiting = new Map(
    steps.map((step) => [step.name, new Set(step.after.filter((name) => byName.has(name)))]),
  );
  const order: PipelineStep[] = [];
  while (order.length < steps.length) {
    const ready = steps.find((step) => waiting.get(step.name)?.size === 0 && !order.includes(step));
    if (!ready) return undefined;
    order.push(ready);
    for (const needs of waiting.values()) needs.delete(ready.name);
  }
  return order;
}

/** One cycle among the steps, as the names along it with the first repeated at the end ("a → b → a"). */
export function findCycle(steps: readonly PipelineStep[]): string[] | undefined {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "visiting");
    path.push(name);
    for (const next of byName.get(name)?.after ?? []) {
      if (!byName.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.name);
    // Found walking `after` edges (from a step to what it needs): read it the way work flows.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

/** Every step the named one needs, directly or through others. */
export function ancestorsOf(pipeline: Pick<Pipeline, "steps">, name: string): Set<string> {
  const byName = new Map(pipeline.steps.map((step) => [step.name, step]));
  const found = new Set<string>();
  const queue = [...(byName.get(name)?.after ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(byName.get(next)?.after ?? []));
  }
  return found;
}

/** Every step that needs the named one, directly or through others. */
export function descendantsOf(pipeline: Pick<Pipeline, "steps">, name: string): Set<string> {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const step of pipeline.steps) {
      if (found.has(step.name)) continue;
      if (step.after.some((needed) => needed === name || found.has(needed))) {
        found.add(step.name);
        grew = true;
      }
    }
  }
  return found;
}
