import type { RunStatus } from "../core/job/types";
import type { ObjectiveType, TrialStatus } from "../core/tuning/types";
import { validate, type Validators } from "./messaging";

/** What a trial's links open: its run's logs, or its run's diagnosis. */
export type TrialView = "logs" | "diagnosis";

/** A parameter's axis: numbers on a scale, or the values seen, in the order first seen. */
export type ParameterAxisView =
  | { name: string; kind: "numeric"; min: number; max: number }
  | { name: string; kind: "categorical"; values: string[] };

/** One trial, as its row in the trials table shows it. Every field is text or a number, never markup. */
export interface TrialRowView {
  name: string;
  /** Its place in the order trials were asked for, from 1: the chart's x. */
  number: number;
  status: TrialStatus;
  /** "Succeeded", "Metrics unavailable"... */
  statusLabel: string;
  /** Its value of each parameter, by parameter name, as the search gave it. */
  parameters: Record<string, string>;
  objective?: number;
  /** The latest value of each metric it reported, by name (a number where it reads as one). */
  metrics: Record<string, { latest: string; min: string; max: string }>;
  /** How long it ran; while running, the page counts from `startedAt`. */
  durationMs?: number;
  startedAt?: string;
  /** Why it failed, stopped early or has no objective. */
  reason?: string;
  /** What its links open; none before its run exists. */
  opens: TrialView[];
  best: boolean;
}

export interface TuningViewState {
  runId: string;
  /** The experiment's name: "train-random". */
  experimentName: string;
  /** The notebook's file name: "train.ipynb". */
  notebookName: string;
  /** The experiment's file as the user reads it ("random.yaml", "parity.yaml › tuning"). */
  source?: string;
  /** Where its trials run: "local Docker", "the cluster (context prod, namespace team-a) as Experiment train-x1a2". */
  where?: string;
  algorithm: string;
  objective: { type: ObjectiveType; metric: string; goal?: number };
  /** "6 trials at most, 3 at once" */
  limits: string;
  status: RunStatus;
  /** "Running", "Succeeded"... */
  statusLabel: string;
  /** Why it ended (Katib's reason), once it has: "MaxTrialsReached". */
  reason?: string;
  /** "4 of 6 trials done · 3 succeeded, 1 failed" */
  summary: string;
  notes: string[];
  /** What went wrong, each with its fix (the doctor's refusal, the failed trials). */
  problems: { message: string; fix: string }[];
  parameters: ParameterAxisView[];
  /** Every metric a trial reported, the objective's first. */
  metrics: string[];
  trials: TrialRowView[];
  best?: { trial: string; objective: number; parameters: { name: string; value: string }[] };
  /** The objective per trial (in the order they were asked for) and the best so far. */
  chart: { x: number[]; objective: (number | null)[]; bestSoFar: (number | null)[] };
  /** The record is still being written. */
  live: boolean;
  /** Something to say above the table (the record is not written yet). */
  note?: string;
  error?: string;
}

/** The answer to Apply Best Parameters. */
export interface ApplyOutcome {
  ok: boolean;
  message: string;
}

export type TuningToWebview = {
  state: TuningViewState;
  applied: ApplyOutcome;
};

export type TuningFromWebview = {
  ready: Record<string, never>;
  /** Open the logs or the diagnosis of the trial's run. */
  openTrial: { name: string; view: TrialView };
  /** Write the best trial's values into the notebook's parameters cell. */
  applyBest: Record<string, never>;
};

/** The longest trial name the host accepts back from the page (Katib's are below 64). */
const MAX_TRIAL_NAME = 256;

export const tuningFromWebview: Validators<TuningFromWebview> = {
  ready: validate.none,
  openTrial: (payload) => {
    const object = validate.object(payload);
    const name = validate.string(object?.name, MAX_TRIAL_NAME);
    const view = object?.view;
    return name !== undefined && (view === "logs" || view === "diagnosis") ? { name, view } : undefined;
  },
  applyBest: validate.none,
};
