import type { ParameterAxisView, TrialRowView } from "../../../../src/protocol/tuning";

/** A column of the trials table: "name", "status", "objective", "duration", "param:<name>", "metric:<name>". */
export type SortKey = string;

export interface TrialSort {
  key: SortKey;
  descending: boolean;
}

/** The table's first order: trials as they were asked for. */
export const DEFAULT_SORT: TrialSort = { key: "name", descending: false };

export const paramKey = (name: string): SortKey => `param:${name}`;
export const metricKey = (name: string): SortKey => `metric:${name}`;

/** What a row is sorted by in a column: a number where the column holds numbers, else text. */
export function sortValue(
  row: TrialRowView,
  key: SortKey,
  axes: readonly ParameterAxisView[],
  now: number,
): number | string | undefined {
  if (key === "name") return row.number;
  if (key === "status") return row.statusLabel;
  if (key === "objective") return row.objective;
  if (key === "duration")
    return row.durationMs ?? (row.startedAt ? now - Date.parse(row.startedAt) : undefined);
  if (key.startsWith("param:")) {
    const name = key.slice("param:".length);
    const value = row.parameters[name];
    if (value === undefined) return undefined;
    const axis = axes.find((each) => each.name === name);
    return axis?.kind === "numeric" ? Number(value) : value;
  }
  if (key.startsWith("metric:")) {
    const latest = row.metrics[key.slice("metric:".length)]?.latest;
    if (latest === undefined) return undefined;
    const number = Number(latest);
    return latest.trim() !== "" && Number.isFinite(number) ? number : latest;
  }
  return undefined;
}

/**
 * The rows in the column's order: numbers by value, text by natural order; rows without a value
 * last whichever the direction; ties in the order trials were asked for.
 */
export function sortTrials(
  rows: readonly TrialRowView[],
  sort: TrialSort,
  axes: readonly ParameterAxisView[],
  now = Date.now(),
): TrialRowView[] {
  const keyed = rows.map((row) => ({ row, value: sortValue(row, sort.key, axes, now) }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value === b.value) return a.row.number - b.row.number;
      return a.value === undefined ? 1 : -1;
    }
    const order = compare(a.value, b.value);
    return order !== 0 ? (sort.descending ? -order : order) : a.row.number - b.row.number;
  });
  return keyed.map(({ row }) => row);
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  // Numbers before text in a column that mixes them.
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a.localeCompare(b, undefined, { numeric: true });
}

/** The next sort after a click on a column's header: the same column flips, another starts ascending. */
export function nextSort(current: TrialSort, key: SortKey): TrialSort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}
