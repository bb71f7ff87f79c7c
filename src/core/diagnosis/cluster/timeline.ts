import type { TimelineEntry } from "../../job/types";
import { isoTime, type ContainerStateLike, type EventLike, type PodLike } from "./objects";

/** A core/v1 (or events.k8s.io/v1) Event as one timeline entry, at the last time it was seen. */
export function timelineFromEvent(event: EventLike): TimelineEntry {
  const object = event.involvedObject ?? event.regarding ?? {};
  const count = event.series?.count ?? event.count;
  return {
    time: eventTime(event),
    object: `${object.kind ?? "Object"}/${object.name ?? ""}`,
    type: event.type === "Warning" ? "Warning" : "Normal",
    reason: event.reason ?? "",
    message: (event.message ?? event.note ?? "").trim(),
    ...(count && count > 1 ? { count } : {}),
  };
}

/**
 * What changed between two observations of a pod: its phase, and each container's state
 * (waiting with a reason, running, terminated). Events say most of this too, but a container's
 * exit code and OOM kill appear only in the pod's status.
 */
export function timelineFromPod(pod: PodLike, previous?: PodLike, now = new Date()): TimelineEntry[] {
  const name = pod.metadata?.name ?? "";
  const entries: TimelineEntry[] = [];
  const phase = pod.status?.phase;
  if (phase && phase !== previous?.status?.phase) {
    const failed = phase === "Failed";
    entries.push({
      time: phaseTime(pod) ?? now.toISOString(),
      object: `Pod/${name}`,
      type: failed ? "Warning" : "Normal",
      reason: pod.status?.reason ?? phase,
      message:
        pod.status?.message ?? `Pod is ${phase}${pod.spec?.nodeName ? ` on node ${pod.spec.nodeName}` : ""}.`,
    });
  }
  const before = new Map((previous?.status?.containerStatuses ?? []).map((status) => [status.name, status]));
  for (const status of pod.status?.containerStatuses ?? []) {
    const old = before.get(status.name);
    const entry = containerChange(status.state, old?.state, status.restartCount !== old?.restartCount, now);
    if (entry) entries.push({ ...entry, object: `Container/${name}/${status.name}` });
  }
  return entries;
}

function containerChange(
  state: ContainerStateLike | undefined,
  old: ContainerStateLike | undefined,
  restarted: boolean,
  now: Date,
): Omit<TimelineEntry, "object"> | undefined {
  if (state?.terminated && (!old?.terminated || restarted)) {
    const { reason, exitCode, message } = state.terminated;
    return {
      time: isoTime(state.terminated.finishedAt) ?? now.toISOString(),
      type: exitCode === 0 ? "Normal" : "Warning",
      reason: reason ?? "Terminated",
      message: `Exited with code ${exitCode}${message ? `: ${message.trim()}` : "."}`,
    };
  }
  if (state?.running && (!old?.running || restarted)) {
    return {
      time: isoTime(state.running.startedAt) ?? now.toISOString(),
      type: "Normal",
      reason: "Started",
      message: "Container is running.",
    };
  }
  const waiting = state?.waiting;
  if (waiting?.reason && waiting.reason !== old?.waiting?.reason && waiting.reason !== "ContainerCreating") {
    return {
      time: now.toISOString(),
      type: "Warning",
      reason: waiting.reason,
      message: waiting.message?.trim() || `Container is waiting: ${waiting.reason}.`,
    };
  }
  return undefined;
}

function phaseTime(pod: PodLike): string | undefined {
  const phase = pod.status?.phase;
  const conditions = pod.status?.conditions ?? [];
  const condition =
    phase === "Pending"
      ? conditions.find((c) => c.type === "PodScheduled")
      : phase === "Running"
        ? conditions.find((c) => c.type === "Ready")
        : undefined;
  const terminated = (pod.status?.containerStatuses ?? [])
    .map((status) => isoTime(status.state?.terminated?.finishedAt))
    .filter((time): time is string => Boolean(time))
    .sort()
    .at(-1);
  if (phase === "Succeeded" || phase === "Failed") return terminated;
  return (
    isoTime(condition?.lastTransitionTime) ??
    (phase === "Pending" ? isoTime(pod.metadata?.creationTimestamp) : undefined)
  );
}

/**
 * When an event was last seen, as precisely as Kubernetes says: lastTimestamp and firstTimestamp
 * have whole seconds, eventTime (newer events) microseconds. eventTime refines lastTimestamp when
 * both fall in the same second (a repeated event's eventTime is its first occurrence); the last
 * managedFields write stands in when an event has no time of its own.
 */
function eventTime(event: EventLike): string {
  const last = isoTime(event.lastTimestamp);
  const precise = isoTime(event.eventTime);
  if (last && precise && precise.slice(0, 19) === last.slice(0, 19)) return precise;
  const written = (event.metadata?.managedFields ?? [])
    .map((field) => isoTime(field.time))
    .filter((time): time is string => Boolean(time))
    .sort()
    .at(-1);
  return (
    last ??
    precise ??
    isoTime(event.firstTimestamp) ??
    written ??
    isoTime(event.metadata?.creationTimestamp) ??
    new Date(0).toISOString()
  );
}
