import type { ClusterRow } from "./clusterRow";

/**
 * Brings the row shown (`shown`, an object VS Code was given) up to `fresh`, keeping its object:
 * VS Code refreshes a row by the element it got from getChildren, so a row that only changed is
 * updated in place and listed in `changed` (its own fields, or which rows are below it), and a
 * row whose rows below only changed is not. Returns the row to show: `shown`, or `fresh` when
 * there was none with its id.
 */
export function reconcileRow(
  shown: ClusterRow | undefined,
  fresh: ClusterRow,
  changed: Set<ClusterRow>,
): ClusterRow {
  if (!shown || shown === fresh) return fresh;
  const children = fresh.children && reconcileRows(shown.children ?? [], fresh.children, changed);
  const sameChildren =
    children === undefined
      ? shown.children === undefined
      : shown.children !== undefined &&
        shown.children.length === children.length &&
        children.every((child, index) => child === shown.children![index]);
  if (sameChildren && sameFields(shown, fresh)) return shown;
  const target = shown as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!(key in fresh)) delete target[key];
  Object.assign(shown, fresh, { children });
  if (children === undefined) delete shown.children;
  changed.add(shown);
  return shown;
}

/** Rows in `fresh`'s order, each the one shown with its id where there is one. */
export function reconcileRows(
  shown: ClusterRow[],
  fresh: ClusterRow[],
  changed: Set<ClusterRow>,
): ClusterRow[] {
  const byId = new Map(shown.map((row) => [row.id, row]));
  return fresh.map((row) => reconcileRow(byId.get(row.id), row, changed));
}

/** The fields a tree item is made of; children aside. Values are strings or small plain objects. */
function sameFields(a: ClusterRow, b: ClusterRow): boolean {
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  keys.delete("children");
  for (const key of keys) {
    const x = left[key];
    const y = right[key];
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || JSON.stringify(x) !== JSON.stringify(y))
      return false;
  }
  return true;
}
