import { objectiveValue } from "./metrics";
import type { BestTrial } from "./record";
import type { NameValue, Objective, ObservedMetric, TrialState, TrialStatus } from "./types";

/** A Katib condition as its status holds it. */
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A Katib v1beta1 Trial as the API sends it: what Parity reads of it. */
export interface KatibTrial {
  metadata?: { name?: string; creationTimestamp?: string | Date };
  spec?: { parameterAssignments?: NameValue[] };
  status?: {
    conditions?: Condition[];
    startTime?: string | Date;
    completionTime?: string | Date;
    observation?: { metrics?: ObservedMetric[] };
  };
}

/** A Katib v1beta1 Experiment's status, as far as Parity reads it. */
export interface KatibExperiment {
  status?: {
    conditions?: Condition[];
    currentOptimalTrial?: {
      bestTrialName?: string;
      parameterAssignments?: NameValue[];
      observation?: { metrics?: ObservedMetric[] };
    };
  };
}

/** A trial's conditions, the one that decides first: Katib sets the current one True. */
const TRIAL_CONDITIONS: [string, TrialStatus][] = [
  ["Succeeded", "succeeded"],
  ["Failed", "failed"],
  ["MetricsUnavailable", "metrics-unavailable"],
  ["EarlyStopped", "early-stopped"],
  ["Killed", "cancelled"],
  ["Running", "running"],
  ["Created", "pending"],
];

/** Where a Katib Trial stands, as a TrialState: its values, its observation, its objective by the strategy. */
export function trialFromKatib(trial: KatibTrial, objective: Objective): TrialState {
  const conditions = (trial.status?.conditions ?? []).filter((each) => each.status === "True");
  const [type, status] = TRIAL_CONDITIONS.find(([name]) => conditions.some((each) => each.type === name)) ?? [
    undefined,
    "pending" as TrialStatus,
  ];
  const metrics = trial.status?.observation?.metrics ?? [];
  const value = metrics.length > 0 ? objectiveValue(metrics, objective) : undefined;
  const observed = status === "succeeded" || status === "early-stopped";
  const condition = conditions.find((each) => each.type === type);
  const ended = !["running", "pending"].includes(status);
  return {
    name: trial.metadata?.name ?? "",
    status,
    parameters: trial.spec?.parameterAssignments ?? [],
    ...(metrics.length > 0 && { metrics }),
    ...(observed && value !== undefined && { objective: value }),
    ...(trial.status?.startTime && { startedAt: iso(trial.status.startTime) }),
    ...(trial.status?.completionTime && { finishedAt: iso(trial.status.completionTime) }),
    ...(ended &&
      status !== "succeeded" &&
      condition?.message && { reason: condition.message.replace(/\.$/, "") }),
  };
}

/** How a Katib Experiment ended, from its conditions; undefined while it runs. */
export function experimentEnd(
  experiment: KatibExperiment | undefined,
): { status: "succeeded" | "failed"; reason: string; message: string } | undefined {
  const conditions = (experiment?.status?.conditions ?? []).filter((each) => each.status === "True");
  const done = conditions.find((each) => each.type === "Succeeded" || each.type === "Failed");
  if (!done) return undefined;
  return {
    status: done.type === "Failed" ? "failed" : "succeeded",
    reason: done.reason ?? done.type,
    message: done.message ?? `The Experiment ${done.type === "Failed" ? "failed" : "succeeded"}.`,
  };
}

/** Katib's currentOptimalTrial as Parity's best trial; undefined until it has one with a numeric objective. */
export function optimalTrial(
  experiment: KatibExperiment | undefined,
  objective: Objective,
): BestTrial | undefined {
  const optimal = experiment?.status?.currentOptimalTrial;
  const metrics = optimal?.observation?.metrics ?? [];
  if (!optimal?.bestTrialName || metrics.length === 0) return undefined;
  const value = objectiveValue(metrics, objective);
  if (value === undefined) return undefined;
  return { trial: optimal.bestTrialName, parameters: optimal.parameterAssignments ?? [], objective: value };
}

function iso(time: string | Date): string {
  return typeof time === "string" ? time : time.toISOString();
}
