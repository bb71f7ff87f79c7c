import type { Diagnosis } from "../diagnosis/types";
import type { RunResult } from "../job/types";
import type { SuggestionTime } from "./record";
import type { NameValue, ObservedMetric, TrialState } from "./types";

/** The last line of `parity tune --json`. */
export interface ExperimentJson {
  experimentId: string;
  status: RunResult["status"];
  reason: string | null;
  trials: {
    name: string;
    status: TrialState["status"];
    parameters: Record<string, string>;
    metrics: ObservedMetric[];
    objective: number | null;
    runId: string | null;
  }[];
  best: { trial: string; parameters: Record<string, string>; objective: number } | null;
  /** Null where no suggestion was asked for in this record's life. */
  suggestion: SuggestionTime | null;
  diagnosis: Diagnosis[];
}

export function experimentJson(result: RunResult): ExperimentJson {
  const experiment = result.experiment;
  const asObject = (values: NameValue[]) =>
    Object.fromEntries(values.map(({ name, value }) => [name, value]));
  return {
    experimentId: result.runId,
    status: result.status,
    reason: experiment?.reason ?? null,
    trials: (experiment?.trials ?? []).map((trial) => ({
      name: trial.name,
      status: trial.status,
      parameters: asObject(trial.parameters),
      metrics: trial.metrics ?? [],
      objective: trial.objective ?? null,
      runId: trial.runId ?? null,
    })),
    best: experiment?.best
      ? {
          trial: experiment.best.trial,
          parameters: asObject(experiment.best.parameters),
          objective: experiment.best.objective,
        }
      : null,
    suggestion: experiment?.suggestion ?? null,
    diagnosis: result.diagnosis,
  };
}
