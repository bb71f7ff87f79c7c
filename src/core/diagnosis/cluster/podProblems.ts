import { quantityToBytes } from "../../profile/quantity";
import { oomKilledDiagnosis } from "../diagnose";
import type { Diagnosis } from "../types";
import { isoTime, replicaName, type ContainerStatusLike, type PodLike } from "./objects";

const IMAGE_PULL = new Set(["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"]);

/** Problems a pod shows while it waits or after the node gave it up: image pulls, crash loops, eviction. */
export function podProblems(pod: PodLike): Diagnosis[] {
  const who = `pod ${pod.metadata?.name ?? ""}`;
  const found: Diagnosis[] = [];
  if (pod.status?.reason === "Evicted") {
    found.push({
      code: "Evicted",
      severity: "error",
      message: `The node evicted ${who}: ${pod.status.message?.trim() || "no reason given"}`,
      fix: "A node under memory or disk pressure evicts pods that use more than they request: requests equal limits in Parity's manifests, so check the node's other workloads, or write less to the container's disk (use the outputs folder).",
    });
  }
  for (const status of allStatuses(pod)) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
      const image = pod.spec?.containers?.find((c) => c.name === status.name)?.image ?? "its image";
      found.push({
        code: "ImagePullFailed",
        severity: "error",
        message: `The cluster cannot pull ${image} for ${who} (${waiting.reason})${waiting.message ? `: ${waiting.message.trim()}` : "."}`,
        fix: "Push the image to a registry the cluster can reach (image.registry in parity.yaml) and give the namespace credentials for it (an imagePullSecret), or check the image name and tag.",
      });
    }
    if (waiting?.reason === "CrashLoopBackOff") {
      const last = status.lastState?.terminated;
      found.push({
        code: "CrashLoopBackOff",
        severity: "error",
        message: `Container ${status.name} of ${who} keeps crashing (restarted ${status.restartCount ?? 0} times${last ? `, last exit code ${last.exitCode}${last.reason ? ` ${last.reason}` : ""}` : ""}).`,
        fix: "Read the end of its logs for the error; Kubernetes restarts it with growing delays until it stays up.",
      });
    }
  }
  return found;
}

export interface ContainerFailure {
  pod: PodLike;
  replica: string;
  container: string;
  exitCode: number;
  reason?: string;
  finishedAt?: string;
}

/** Every container that ended with a non-zero exit code (now or before a restart), earliest first. */
export function containerFailures(pods: PodLike[]): ContainerFailure[] {
  const failures: ContainerFailure[] = [];
  for (const pod of pods) {
    for (const status of allStatuses(pod)) {
      const terminated = [status.state?.terminated, status.lastState?.terminated].find(
        (state) => state && (state.exitCode !== 0 || state.reason === "OOMKilled"),
      );
      if (!terminated) continue;
      failures.push({
        pod,
        replica: replicaName(pod),
        container: status.name,
        exitCode: terminated.exitCode,
        reason: terminated.reason,
        finishedAt: isoTime(terminated.finishedAt),
      });
    }
  }
  return failures.sort((a, b) => (a.finishedAt ?? "~").localeCompare(b.finishedAt ?? "~"));
}

/** The OOM kill of one container, at the limit the cluster enforced on it. */
export function oomDiagnosisFor(failure: ContainerFailure, fallbackLimitBytes: number): Diagnosis {
  const limit = failure.pod.spec?.containers?.find((c) => c.name === failure.container)?.resources?.limits
    ?.memory;
  const bytes = limit ? quantityToBytes(limit) : fallbackLimitBytes;
  return oomKilledDiagnosis(bytes, { who: capitalize(describeReplica(failure)) });
}

function describeReplica(failure: ContainerFailure): string {
  const name = failure.pod.metadata?.name ?? "";
  return failure.replica === name ? `pod ${name}` : `replica ${failure.replica} (pod ${name})`;
}

function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function allStatuses(pod: PodLike): ContainerStatusLike[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}
