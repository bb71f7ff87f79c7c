/**
 * A copy without undefined values, empty objects and empty lists, so manifests carry only what
 * they say (`env: []` or `nodeSelector: {}` would be noise in a file a team commits).
 */
export function compact<T>(value: T): T {
  return compactValue(value) as T;
}

/** Keys whose empty object means something: `emptyDir: {}` is the volume's source. */
const KEPT_EMPTY = new Set(["emptyDir"]);

function compactValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(compactValue).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .map(
        ([key, entry]) =>
          [key, KEPT_EMPTY.has(key) ? (compactValue(entry) ?? {}) : compactValue(entry)] as const,
      )
      .filter(([, entry]) => entry !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}
