import { createHash } from "node:crypto";
import type {
  AlgorithmName,
  Experiment,
  MetricStrategy,
  NameValue,
  Objective,
  ObjectiveType,
  TrialState,
} from "./types";

/** What an experiment's record holds besides a run's fields: enough to show it, and to resume it. */
export interface ExperimentRecord {
  name: string;
  /** The file the experiment was read from, and the key inside it (`tuning` in parity.yaml). */
  file: string;
  field?: string;
  /** A digest of the spec as read: a resumed experiment must still be the same one. */
  specDigest: string;
  algorithm: AlgorithmName;
  /** `strategy`: how the objective's values become one (its metricStrategies entry). */
  objective: { type: ObjectiveType; metric: string; goal?: number; strategy?: MetricStrategy };
  parallelTrialCount: number;
  maxTrialCount?: number;
  maxFailedTrialCount?: number;
  /** `name=value` values of the notebook's other parameters, the same in every trial. */
  params: string[];
  trials: TrialState[];
  best?: BestTrial;
  /** Why the experiment ended (Katib's condition reason), once it has. */
  reason?: string;
  /** What the user should know of how its search differs from the cluster's (cmaes, sobol). */
  notes?: string[];
  /** The time spent waiting for the suggestion process, as measured here (this process's calls). */
  suggestion?: SuggestionTime;
}

export interface SuggestionTime {
  calls: number;
  milliseconds: number;
}

export interface BestTrial {
  trial: string;
  parameters: NameValue[];
  objective: number;
}

/** "lr=0.01, optimizer=adam" */
export function describeAssignment(parameters: NameValue[]): string {
  return parameters.map(({ name, value }) => `${name}=${value}`).join(", ");
}

/** The objective as a record keeps it, enough to read a trial's objective again from its metrics. */
export function recordedObjective(record: ExperimentRecord): Objective {
  const { type, metric, goal, strategy } = record.objective;
  return {
    type,
    objectiveMetricName: metric,
    ...(goal !== undefined && { goal }),
    additionalMetricNames: [],
    metricStrategies: [{ name: metric, value: strategy ?? (type === "maximize" ? "max" : "min") }],
  };
}

/** A digest of what the experiment searches, with the notebook's other parameters fixed: a resumed one must search the same. */
export function specDigest(experiment: Experiment, params: string[]): string {
  return createHash("sha256")
    .update(JSON.stringify({ spec: experiment.spec, params }))
    .digest("hex")
    .slice(0, 16);
}
