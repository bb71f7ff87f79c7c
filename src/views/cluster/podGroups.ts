import { podGpus, podHoldsResources, type PodItem } from "../../core/cluster/objects";
import { RUN_LABEL } from "../../core/manifests/labels";

/** What a new list of pods changed: the groups whose pods changed, and whether a pod holding GPUs did. */
export interface PodChanges {
  groups: Set<string>;
  gpus: boolean;
}

/** The group a workload row lists a pod under: its owner ("ns/Job/x"), else its training job, else its Parity run. */
export function podGroup(pod: PodItem): string | undefined {
  const namespace = pod.metadata?.namespace ?? "";
  const labels = pod.metadata?.labels ?? {};
  const owner = (pod.metadata?.ownerReferences ?? [])[0];
  if (owner) return `${namespace}/${owner.kind}/${owner.name}`;
  const trainingJob = labels["training.kubeflow.org/job-name"];
  if (trainingJob) return `${namespace}/training/${trainingJob}`;
  return labels[RUN_LABEL] ? `${namespace}/run/${labels[RUN_LABEL]}` : undefined;
}

const keyOf = (pod: PodItem): string => `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
const holdsGpus = (pod: PodItem): boolean => podHoldsResources(pod) && podGpus(pod) > 0;

/**
 * The pods by group, kept from one list to the next. Informers hand over the same object for a pod
 * that did not change (a change is a new object), so what changed is found with one set lookup per
 * pod, and only the groups it touched are listed again. Within a group, pods keep the informer's order.
 */
export class PodGroups {
  private readonly known = new Set<PodItem>();
  private readonly byKey = new Map<string, PodItem>();
  private readonly groups = new Map<string, Map<string, PodItem>>();

  /** The pods of a group, in the informer's order. */
  of(group: string): PodItem[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  update(pods: readonly PodItem[]): PodChanges {
    const changes: PodChanges = { groups: new Set(), gpus: false };
    /** Groups a pod moved into (its owner changed): appended at their end, it is put in its place after. */
    const joined = new Set<string>();
    for (const pod of pods) {
      if (this.known.has(pod)) continue;
      const key = keyOf(pod);
      const previous = this.byKey.get(key);
      const group = podGroup(pod);
      const moved = previous !== undefined && podGroup(previous) !== group;
      if (previous) this.remove(key, previous, changes, moved);
      this.add(key, pod, changes);
      if (moved && group !== undefined) joined.add(group);
    }
    if (joined.size > 0) this.reorder(joined, pods);
    // Every pod listed is known now: those known beyond them were deleted.
    if (this.known.size > pods.length) {
      const listed = new Set(pods);
      for (const pod of [...this.known]) if (!listed.has(pod)) this.remove(keyOf(pod), pod, changes, true);
    }
    return changes;
  }

  /** Puts the pods of `groups` back in the informer's order (a rare case: an owner changed). */
  private reorder(groups: Set<string>, pods: readonly PodItem[]): void {
    const place = new Map(pods.map((pod, index) => [keyOf(pod), index]));
    for (const group of groups) {
      const members = this.groups.get(group);
      if (!members) continue;
      const sorted = [...members].sort(([a], [b]) => place.get(a)! - place.get(b)!);
      this.groups.set(group, new Map(sorted));
    }
  }

  private add(key: string, pod: PodItem, changes: PodChanges): void {
    this.known.add(pod);
    this.byKey.set(key, pod);
    changes.gpus ||= holdsGpus(pod);
    const group = podGroup(pod);
    if (group === undefined) return;
    changes.groups.add(group);
    const members = this.groups.get(group);
    // A pod changed in place keeps its place: Map.set on a key it has does not move it.
    if (members) members.set(key, pod);
    else this.groups.set(group, new Map([[key, pod]]));
  }

  /** `leaveGroup`: the pod is gone or moved to another group; else its next version takes its place. */
  private remove(key: string, pod: PodItem, changes: PodChanges, leaveGroup: boolean): void {
    this.known.delete(pod);
    if (this.byKey.get(key) === pod) this.byKey.delete(key);
    changes.gpus ||= holdsGpus(pod);
    const group = podGroup(pod);
    if (group === undefined) return;
    changes.groups.add(group);
    if (!leaveGroup) return;
    const members = this.groups.get(group);
    members?.delete(key);
    if (members?.size === 0) this.groups.delete(group);
  }
}
