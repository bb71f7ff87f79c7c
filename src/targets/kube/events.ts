import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { timelineFromEvent, timelineFromPod } from "../../core/diagnosis/cluster/timeline";
import { sortTimeline } from "../../core/diagnosis/cluster/timelineOrder";
import type { TimelineEntry } from "../../core/job/types";

/**
 * A run's timeline as it happens: the namespace's events about the run's workload and pods (an
 * event seen again with a higher count replaces its entry) and the state changes of its pods.
 */
export class RunTimeline {
  private readonly events = new Map<string, TimelineEntry>();
  private readonly changes: TimelineEntry[] = [];
  private readonly lastPods = new Map<string, V1Pod>();

  constructor(
    private readonly workload: { kind: string; name: string },
    /** Whether a pod belongs to the run; pods are named after their workload. */
    private readonly ownsPod: (name: string) => boolean = (name) => name.startsWith(`${workload.name}-`),
  ) {}

  /** Adds an event if it is about the run; true when the timeline changed. */
  addEvent(event: CoreV1Event): boolean {
    const about = event.involvedObject;
    const ours =
      (about?.kind === this.workload.kind && about.name === this.workload.name) ||
      (about?.kind === "Pod" && this.ownsPod(about.name ?? ""));
    if (!ours) return false;
    const key = event.metadata?.uid ?? `${about?.kind}/${about?.name}/${event.reason}/${event.message}`;
    this.events.set(key, timelineFromEvent(event));
    return true;
  }

  /** Records what changed in a pod since it was last seen; true when the timeline changed. */
  addPod(pod: V1Pod, now = new Date()): boolean {
    const name = pod.metadata?.name ?? "";
    const entries = timelineFromPod(pod, this.lastPods.get(name), now);
    this.lastPods.set(name, pod);
    this.changes.push(...entries);
    return entries.length > 0;
  }

  entries(): TimelineEntry[] {
    return sortTimeline([...this.events.values(), ...this.changes]);
  }
}
