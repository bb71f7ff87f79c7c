import type { KubernetesObject } from "@kubernetes/client-node";

/** "namespace/name", or "/name" for a cluster-scoped object. */
export function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

/**
 * What changed between the cached objects and a fresh list: those gone are deleted, new ones
 * added, and those whose resourceVersion differs modified. resourceVersions are only compared for
 * equality; their order means nothing to a client.
 */
export function changesAfterList<T extends KubernetesObject>(
  cache: ReadonlyMap<string, T>,
  items: T[],
): { type: "added" | "modified" | "deleted"; object: T }[] {
  const fresh = new Map(items.map((item) => [keyOf(item), item]));
  const changes: { type: "added" | "modified" | "deleted"; object: T }[] = [];
  for (const [key, old] of cache) {
    if (!fresh.has(key)) changes.push({ type: "deleted", object: old });
  }
  for (const [key, item] of fresh) {
    const old = cache.get(key);
    if (!old) changes.push({ type: "added", object: item });
    else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion)
      changes.push({ type: "modified", object: item });
  }
  return changes;
}
