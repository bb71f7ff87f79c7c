import {
  workloadStatus,
  type PodItem,
  type WorkloadItem,
  type WorkloadStatus,
} from "../../core/cluster/objects";
import type { ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterWorkloadKind } from "../../core/job/types";
import { NOTEBOOK_ANNOTATION, RUN_LABEL } from "../../core/manifests/labels";
import type { ClusterRow } from "./clusterRow";
import type { PodGroups } from "./podGroups";

const STATUS_ICONS: Record<WorkloadStatus, { id: string; color?: string }> = {
  pending: { id: "clock" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
};
const STATUS_WORDS: Record<WorkloadStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
};

/** Where a workload's row is, and the groups its pods are listed under (see podGroup). */
export function workloadRef(snapshot: ClusterSnapshot, workload: WorkloadItem) {
  const kind = (workload.kind ?? "Job") as ClusterWorkloadKind;
  const name = workload.metadata?.name ?? "";
  const namespace = workload.metadata?.namespace ?? snapshot.namespace ?? "";
  return { kind, name, namespace, groups: [`${namespace}/${kind}/${name}`, `${namespace}/training/${name}`] };
}

/** A Parity run's or a training job's row, with its pods' rows below it. */
export function workloadRow(
  snapshot: ClusterSnapshot,
  workload: WorkloadItem,
  podGroups: PodGroups,
  section: string,
): ClusterRow {
  const { kind, name, namespace, groups } = workloadRef(snapshot, workload);
  const runId = workload.metadata?.labels?.[RUN_LABEL];
  const notebook = workload.metadata?.annotations?.[NOTEBOOK_ANNOTATION];
  const pods = groups.flatMap((group) => podGroups.of(group));
  const status = workloadStatus(workload, pods);
  const flags = [
    "parity:clusterRun",
    status,
    kind,
    ...(runId ? ["parity"] : []),
    ...(snapshot.canDelete ? ["canDelete"] : []),
  ];
  return {
    id: `${section}/${namespace}/${kind}/${name}`,
    label: name,
    description: [STATUS_WORDS[status], kind, ...(notebook ? [notebook] : [])].join(" · "),
    tooltip: [
      `${kind} ${name} in ${namespace}: ${STATUS_WORDS[status].toLowerCase()}`,
      ...(runId ? [`Parity run ${runId}`] : []),
      ...(notebook ? [`Notebook ${notebook}`] : []),
    ].join("\n"),
    contextValue: flags.join("+"),
    icon: STATUS_ICONS[status],
    children: pods.length > 0 ? pods.map((pod) => podRow(section, pod)) : undefined,
    workload:
      snapshot.context && snapshot.server !== undefined
        ? {
            context: snapshot.context,
            server: snapshot.server,
            namespace,
            kind,
            apiVersion: workload.apiVersion ?? "batch/v1",
            name,
            uid: workload.metadata?.uid,
            runId,
          }
        : undefined,
  };
}

function podRow(section: string, pod: PodItem): ClusterRow {
  const name = pod.metadata?.name ?? "";
  const phase = pod.status?.phase ?? "Unknown";
  return {
    id: `${section}/pod/${pod.metadata?.namespace ?? ""}/${name}`,
    label: name,
    description: [phase, ...(pod.spec?.nodeName ? [pod.spec.nodeName] : [])].join(" · "),
    tooltip: `Pod ${name}: ${phase}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ", not scheduled"}`,
    contextValue: `parity:pod+${phase.toLowerCase()}`,
    icon: { id: "vm" },
  };
}
