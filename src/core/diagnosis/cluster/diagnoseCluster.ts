import type { ProductionGpu } from "../../gpu/productionGpu";
import type { ClusterWorkloadKind, RunStatus, TimelineEntry } from "../../job/types";
import type { NodeFacts, PodDemand } from "../../preflight/types";
import { explainUnschedulable } from "../../preflight/explain";
import { diagnoseRun } from "../diagnose";
import type { Diagnosis, PythonFailure } from "../types";
import { replicaName, replicaRole, type PodLike } from "./objects";
import { containerFailures, oomDiagnosisFor, podProblems, type ContainerFailure } from "./podProblems";
import { failedSchedulingDiagnosis } from "./scheduling";

/** Everything known about a cluster run: its pods as last seen, its timeline and the job's output. */
export interface ClusterRunEvidence {
  kind: ClusterWorkloadKind;
  status: RunStatus;
  pods: PodLike[];
  /** The run's timeline (events and state changes), oldest first. */
  events: TimelineEntry[];
  memoryLimitBytes: number;
  /** Production's GPU as the profile says it: the run ran on it, and a GPU failure is explained so. */
  gpu?: ProductionGpu;
  /** The nodes as they are now and what each replica asks for: name the taint, give the numbers. */
  nodes?: NodeFacts[];
  demands?: PodDemand[];
  /** Why the workload itself failed, from its Failed condition, when nothing else explains it. */
  workloadFailure?: { reason?: string; message?: string };
  /** The last lines of the failing replica's output (or the run's, when none failed), oldest first. */
  logTail: string[];
  failure?: PythonFailure;
  distributionFor?: (module: string) => string;
}

/** Turns what happened on the cluster into plain explanations with fixes, most important first. */
export function diagnoseClusterRun(evidence: ClusterRunEvidence): Diagnosis[] {
  const found: Diagnosis[] = [...quotaProblems(evidence.events), ...schedulingProblems(evidence)];
  for (const pod of evidence.pods) found.push(...podProblems(pod));
  if (evidence.status === "cancelled") {
    // A run is often cancelled because it was stuck: why it was stuck still matters.
    return [
      {
        code: "Cancelled",
        severity: "info",
        message: "The run was cancelled; its workload and pods were deleted from the cluster.",
        fix: "Run it again when ready.",
      },
      ...found,
    ];
  }
  const failures = containerFailures(evidence.pods);
  const first = failures[0];
  if (first) {
    if (evidence.kind !== "Job" && evidence.pods.length > 1)
      found.push(firstFailure(failures, evidence.pods));
    found.push(...failureCause(first, evidence));
  } else if (evidence.status === "failed" && found.length === 0) {
    found.push(workloadFailed(evidence));
  }
  return found;
}

/** Scheduling trouble of pods still Pending, once per replica role and message. */
function schedulingProblems(evidence: ClusterRunEvidence): Diagnosis[] {
  const seen = new Set<string>();
  const found: Diagnosis[] = [];
  for (const pod of evidence.pods) {
    if (pod.status?.phase !== "Pending" || pod.spec?.nodeName) continue;
    const object = `Pod/${pod.metadata?.name ?? ""}`;
    const event = latest(evidence.events, (e) => e.object === object && e.reason === "FailedScheduling");
    if (!event || seen.has(`${replicaRole(pod)} ${event.message}`)) continue;
    seen.add(`${replicaRole(pod)} ${event.message}`);
    const who =
      replicaName(pod) === pod.metadata?.name ? `pod ${replicaName(pod)}` : `replica ${replicaName(pod)}`;
    found.push(failedSchedulingDiagnosis(pod, who, event));
    const demand = evidence.demands?.find((d) => d.role === replicaRole(pod));
    if (demand && evidence.nodes) found.push(...explainUnschedulable(demand, evidence.nodes));
  }
  return found;
}

/** The Job controller could not even create a pod: a ResourceQuota of the namespace is full. */
function quotaProblems(events: TimelineEntry[]): Diagnosis[] {
  const event = latest(events, (e) => e.reason === "FailedCreate" && /exceeded quota/.test(e.message));
  if (!event) return [];
  return [
    {
      code: "QuotaExceeded",
      severity: "error",
      message: `${event.object} cannot create its pods: ${event.message}`,
      fix: "Ask for less (resources in parity.yaml), wait for other workloads in the namespace to finish, or ask the namespace's admins for a larger ResourceQuota.",
    },
  ];
}

function firstFailure(failures: ContainerFailure[], pods: PodLike[]): Diagnosis {
  const [first, ...later] = failures;
  const at = first!.finishedAt ? ` at ${first!.finishedAt.slice(11, 19)} UTC` : "";
  const laterReplicas = [...new Set(later.map((failure) => failure.replica))].filter(
    (r) => r !== first!.replica,
  );
  const others = pods.length - 1 - laterReplicas.length;
  const after = [
    ...(laterReplicas.length ? [`${laterReplicas.join(", ")} failed after it`] : []),
    ...(others > 0 ? [`${others === 1 ? "1 other replica" : `${others} other replicas`} did not fail`] : []),
  ];
  return {
    code: "ReplicaFailedFirst",
    severity: "error",
    message: `${first!.replica} failed first${at} (${first!.reason ?? "exit code"} ${first!.exitCode})${after.length ? `; ${after.join("; ")}` : ""}.`,
    fix: `Start with ${first!.replica}'s logs and diagnosis: errors in the other replicas (timeouts, lost connections) usually follow from it.`,
  };
}

/** Why the first failed container ended, through the same explanations as a local run. */
function failureCause(first: ContainerFailure, evidence: ClusterRunEvidence): Diagnosis[] {
  if (first.reason === "OOMKilled") return [oomDiagnosisFor(first, evidence.memoryLimitBytes)];
  return diagnoseRun({
    exitCode: first.exitCode,
    oomKilled: false,
    cancelled: false,
    memoryLimitBytes: evidence.memoryLimitBytes,
    logTail: evidence.logTail,
    failure: evidence.failure,
    distributionFor: evidence.distributionFor,
    gpu: evidence.gpu,
    onProductionGpu: true,
  });
}

function latest(
  events: TimelineEntry[],
  match: (entry: TimelineEntry) => boolean,
): TimelineEntry | undefined {
  return [...events].reverse().find(match);
}

function workloadFailed(evidence: ClusterRunEvidence): Diagnosis {
  const why = evidence.workloadFailure;
  return {
    code: "WorkloadFailed",
    severity: "error",
    message: `The ${evidence.kind} failed${why?.message ? `: ${why.message}` : why?.reason ? ` (${why.reason})` : "."}`,
    fix: "Read the run's timeline for the events that led to it.",
  };
}
