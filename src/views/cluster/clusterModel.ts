import type { ClusterWorkloadKind } from "../../core/job/types";
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NOTEBOOK_ANNOTATION,
  RUN_LABEL,
} from "../../core/manifests/labels";
import {
  workloadStatus,
  type PodItem,
  type WorkloadItem,
  type WorkloadStatus,
} from "../../core/cluster/objects";
import type { ClusterSection, ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterRow } from "./clusterRow";
import { gpuNodeRows } from "./gpuRows";
import { contextRow, namespaceRows } from "./selectionRows";

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
const TRAINING_KINDS = new Set(["PyTorchJob", "TFJob"]);

/** The Cluster view's rows: context, namespaces, Parity runs, training jobs, GPU nodes. */
export function clusterRows(snapshot: ClusterSnapshot, now: number): ClusterRow[] {
  const context = contextRow(snapshot, now);
  if (!snapshot.context || snapshot.health.state === "unreachable") return [context];
  const podsOf = podIndex(snapshot.pods);
  const parityRuns = snapshot.workloads.filter(
    (workload) => workload.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
  );
  const training = snapshot.workloads.filter((workload) => TRAINING_KINDS.has(workload.kind ?? ""));
  const gpuNodes = gpuNodeRows(snapshot.nodes, snapshot.pods, snapshot.podsScope === "namespace");
  const listed = (id: ClusterSection, rows: ClusterRow[]) => {
    const refusal = snapshot.notAllowed?.[id];
    return refusal
      ? { description: "not allowed", children: [notAllowedRow(id, refusal)] }
      : { description: `${rows.length}`, children: rows };
  };
  const runs = listed(
    "runs",
    parityRuns.map((w) => workloadRow(snapshot, w, podsOf, "run")),
  );
  const trainingRows = listed(
    "training",
    training.map((w) => workloadRow(snapshot, w, podsOf, "training")),
  );
  const gpus = listed("gpus", gpuNodes);
  return [
    context,
    section("namespaces", "Namespaces", snapshot.namespace, namespaceRows(snapshot), "symbol-namespace"),
    section("runs", "Parity runs", runs.description, runs.children, "beaker", true),
    section("training", "Training jobs", trainingRows.description, trainingRows.children, "type-hierarchy"),
    section("gpus", "GPU nodes", gpus.description, gpus.children, "circuit-board", true),
  ];
}

/** In place of a section's rows: the user may not list them, and what to ask for. */
function notAllowedRow(section: ClusterSection, sentence: string): ClusterRow {
  return {
    id: `section/${section}/not-allowed`,
    label: "Not allowed to list",
    description: sentence,
    tooltip: sentence,
    contextValue: "parity:notAllowed",
    icon: { id: "lock" },
  };
}

function section(
  id: string,
  label: string,
  description: string | undefined,
  children: ClusterRow[],
  icon: string,
  expanded = false,
): ClusterRow {
  return {
    id: `section/${id}`,
    label,
    description,
    tooltip: `${label}: ${description ?? children.length}`,
    contextValue: `parity:section+${id}`,
    icon: { id: icon },
    children,
    expanded,
  };
}

/** Pods by the run label, by owner ("Job/x") and by training job name, in one pass. */
function podIndex(pods: PodItem[]): Map<string, PodItem[]> {
  const index = new Map<string, PodItem[]>();
  const add = (key: string, pod: PodItem) => {
    const list = index.get(key);
    if (list) list.push(pod);
    else index.set(key, [pod]);
  };
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? "";
    const labels = pod.metadata?.labels ?? {};
    const owner = (pod.metadata?.ownerReferences ?? [])[0];
    if (owner) add(`${namespace}/${owner.kind}/${owner.name}`, pod);
    else if (labels["training.kubeflow.org/job-name"])
      add(`${namespace}/training/${labels["training.kubeflow.org/job-name"]}`, pod);
    else if (labels[RUN_LABEL]) add(`${namespace}/run/${labels[RUN_LABEL]}`, pod);
  }
  return index;
}

function workloadRow(
  snapshot: ClusterSnapshot,
  workload: WorkloadItem,
  podsOf: Map<string, PodItem[]>,
  section: string,
): ClusterRow {
  const kind = (workload.kind ?? "Job") as ClusterWorkloadKind;
  const name = workload.metadata?.name ?? "";
  const namespace = workload.metadata?.namespace ?? snapshot.namespace ?? "";
  const runId = workload.metadata?.labels?.[RUN_LABEL];
  const notebook = workload.metadata?.annotations?.[NOTEBOOK_ANNOTATION];
  const pods = [
    ...(podsOf.get(`${namespace}/${kind}/${name}`) ?? []),
    ...(podsOf.get(`${namespace}/training/${name}`) ?? []),
  ];
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
