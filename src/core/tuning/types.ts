/**
 * A Katib v1beta1 Experiment as Parity reads it (`kubectl explain experiment.spec` names the same
 * fields). Values Katib keeps as strings (feasible spaces, settings, assignments, metric values)
 * stay strings here, so what reaches the search libraries and the cluster is what Katib would see.
 */

export type ObjectiveType = "maximize" | "minimize";
/** How a trial's many values of a metric become one: Katib's metricStrategies. */
export type MetricStrategy = "min" | "max" | "latest";
export type ParameterType = "double" | "int" | "discrete" | "categorical";
export type Distribution = "uniform" | "logUniform" | "normal" | "logNormal";

/** The search algorithms Katib v0.19 ships suggestion services for, and that Parity runs locally. */
export const ALGORITHMS = [
  "random",
  "tpe",
  "grid",
  "multivariate-tpe",
  "bayesianoptimization",
  "cmaes",
  "sobol",
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export interface NameValue {
  name: string;
  value: string;
}

export interface Objective {
  type: ObjectiveType;
  goal?: number;
  objectiveMetricName: string;
  additionalMetricNames: string[];
  /** One per metric (objective and additional), Katib's defaults filled in. */
  metricStrategies: { name: string; value: MetricStrategy }[];
}

export interface FeasibleSpace {
  min?: string;
  max?: string;
  step?: string;
  list?: string[];
  distribution?: Distribution;
}

export interface SearchParameter {
  name: string;
  parameterType: ParameterType;
  feasibleSpace: FeasibleSpace;
}

export interface AlgorithmSpec {
  algorithmName: AlgorithmName;
  algorithmSettings: NameValue[];
}

export interface EarlyStoppingSpec {
  algorithmName: "medianstop";
  algorithmSettings: NameValue[];
}

/** Katib's metricsCollectorSpec: the trial's stdout, or a file it writes. */
export type MetricsCollector =
  | { kind: "StdOut"; filters: string[] }
  | { kind: "File"; path: string; format: "TEXT" | "JSON"; filters: string[] };

export interface ExperimentSpec {
  objective: Objective;
  algorithm: AlgorithmSpec;
  parameters: SearchParameter[];
  parallelTrialCount: number;
  /** Absent: no bound but the goal and maxFailedTrialCount (as in Katib). */
  maxTrialCount?: number;
  maxFailedTrialCount?: number;
  earlyStopping?: EarlyStoppingSpec;
  metricsCollector: MetricsCollector;
}

/** An experiment read from a file (a whole manifest, or a spec) or from parity.yaml's `tuning:`. */
export interface Experiment {
  name: string;
  /** The file it was read from. */
  file: string;
  spec: ExperimentSpec;
  /** The 1-based line of a field of the source (a path from the spec, e.g. ["parameters", 0, "feasibleSpace", "min"]). */
  lineOf(path: (string | number)[]): number | undefined;
}

/** One value of a metric as a collector read it, in the order the trial wrote it. */
export interface MetricReading {
  name: string;
  value: string;
  /** Milliseconds since the epoch, where known (a log line's time). */
  time?: number;
  /** The 1-based line of the output or metrics file it was read from. */
  line?: number;
}

/** A metric of a trial as Katib's observation holds it. */
export interface ObservedMetric {
  name: string;
  min: string;
  max: string;
  latest: string;
}

/**
 * Where a trial stands. Katib's conditions: `succeeded`, `failed`, `metrics-unavailable` (it ended
 * without its objective metric), `early-stopped` (medianstop ended it), plus Parity's run states.
 */
export type TrialStatus =
  | "pending"
  | "running"
  | "succeeded"
  | "failed"
  | "metrics-unavailable"
  | "early-stopped"
  | "cancelled"
  | "lost";

export interface TrialState {
  /** `<experiment>-<n>`, n from 1 in the order trials were asked for. */
  name: string;
  status: TrialStatus;
  parameters: NameValue[];
  metrics?: ObservedMetric[];
  /** The objective metric by its strategy, as a number; absent until known. */
  objective?: number;
  /** The trial's job run. */
  runId?: string;
  startedAt?: string;
  finishedAt?: string;
  reason?: string;
}

/** What the suggestion process is asked: Katib's GetSuggestions, stateless, with every trial so far. */
export interface SuggestionRequest {
  algorithm: AlgorithmSpec;
  objective: { type: ObjectiveType; objectiveMetricName: string };
  parameters: SearchParameter[];
  /** Every trial asked for so far, oldest first; `objective` only where it ended with one. */
  trials: { name: string; parameters: NameValue[]; status: TrialStatus; objective?: number }[];
  /** How many new assignments to return. */
  count: number;
}

export interface SuggestionReply {
  /** Up to `count` assignments; fewer when the search space is used up (grid). */
  assignments: NameValue[][];
  /**
   * Where the local run differs from Katib's: cmaes and sobol run by optuna, not Katib's goptuna
   * (another sequence); a setting or a step that Katib's service ignores.
   */
  notes?: string[];
}

/** What Katib's ValidateAlgorithmSettings checks: the algorithm's settings and the search space. */
export interface ValidationRequest {
  algorithm: AlgorithmSpec;
  parameters: SearchParameter[];
  /** Grid refuses more trials than combinations. */
  maxTrialCount?: number;
}

/** A setting or parameter the algorithm refuses, and what to do about it. */
export interface ValidationProblem {
  message: string;
  fix: string;
  /** The algorithm setting at fault, where one is. */
  setting?: string;
  /** The parameter at fault, where one is. */
  parameter?: string;
}
