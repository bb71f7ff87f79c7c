import type { TimelineEntry } from "../../job/types";

/**
 * Where a reason falls in a workload's life, for entries Kubernetes dates to the same second.
 * Workload objects' own reasons come first when they are about creation and last when they end it.
 */
const POD_STAGES: [RegExp, number][] = [
  [/^SuccessfulCreate/, 1],
  [/^(Pending|FailedScheduling|FailedCreate)$/, 2],
  [/^Scheduled$/, 3],
  [/^Pulling$/, 4],
  [/^Pulled$/, 5],
  [/^Created$/, 6],
  [/^(Started|Running)$/, 7],
];
const ENDED =
  /^(Completed|Succeeded|Failed|Error|OOMKilled|Evicted|Killing|DeadlineExceeded|BackoffLimitExceeded)$/;
/** Reasons not listed (BackOff, ErrImagePull, Unhealthy…) happen while containers try to run. */
const UNKNOWN_RANK = 7;

/** The lifecycle rank of an entry: Job created < SuccessfulCreate < Scheduled < Pulling/Pulled < Created < Started < ended. */
export function lifecycleRank(entry: Pick<TimelineEntry, "object" | "reason">): number {
  const kind = entry.object.split("/")[0];
  const workload = kind !== "Pod" && kind !== "Container";
  if (workload && /Created$/.test(entry.reason) && !entry.reason.startsWith("Successful")) return 0;
  if (ENDED.test(entry.reason) || (workload && /(Succeeded|Failed|Completed)/.test(entry.reason)))
    return kind === "Container" ? 8 : kind === "Pod" ? 9 : 10;
  return POD_STAGES.find(([pattern]) => pattern.test(entry.reason))?.[1] ?? UNKNOWN_RANK;
}

/** A time given to the second only (lastTimestamp, a condition's transition): ".000Z". */
function wholeSecond(time: string): boolean {
  return /T\d\d:\d\d:\d\d(\.0+)?Z$/.test(time);
}

interface Ranked {
  entry: TimelineEntry;
  index: number;
  rank: number;
}

const byRank = (a: Ranked, b: Ranked) => a.rank - b.rank || a.index - b.index;

/**
 * Oldest first. Within one second, entries with sub-second times keep their order among
 * themselves; entries dated to the whole second are placed among them by lifecycle rank (a pod's
 * Running, dated 10:00:01, after the scheduler's Scheduled at 10:00:01.234); then arrival order.
 * Done as a merge of the two orders, so the result is well defined whatever the mix.
 */
export function sortTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  const seconds = new Map<string, Ranked[]>();
  entries.forEach((entry, index) => {
    const second = entry.time.slice(0, 19);
    const group = seconds.get(second) ?? [];
    seconds.set(second, group);
    group.push({ entry, index, rank: lifecycleRank(entry) });
  });
  return [...seconds.keys()].sort().flatMap((second) => {
    const group = seconds.get(second)!;
    const precise = group
      .filter((r) => !wholeSecond(r.entry.time))
      .sort((a, b) => a.entry.time.localeCompare(b.entry.time) || byRank(a, b));
    const coarse = group.filter((r) => wholeSecond(r.entry.time)).sort(byRank);
    const merged: Ranked[] = [];
    while (precise.length && coarse.length)
      merged.push(byRank(precise[0]!, coarse[0]!) <= 0 ? precise.shift()! : coarse.shift()!);
    return [...merged, ...precise, ...coarse].map((r) => r.entry);
  });
}

/**
 * An earlier process's timeline with what is seen now (a run attached to again): entries seen
 * now replace equal earlier ones, and an event seen again with a count replaces its earlier
 * occurrence (its time moved); earlier entries no longer visible (expired events) stay.
 */
export function mergeTimeline(earlier: TimelineEntry[], now: TimelineEntry[]): TimelineEntry[] {
  if (earlier.length === 0) return now;
  const what = (e: TimelineEntry) => `${e.object}\n${e.reason}\n${e.message}`;
  const seen = new Set(now.map((e) => `${what(e)}\n${e.time}`));
  const repeated = new Set(now.filter((e) => e.count).map(what));
  const kept = earlier.filter((e) => !seen.has(`${what(e)}\n${e.time}`) && !repeated.has(what(e)));
  return sortTimeline([...kept, ...now]);
}
