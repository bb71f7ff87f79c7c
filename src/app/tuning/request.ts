import type { LogLine } from "../../core/job/types";
import type { BestTrial } from "../../core/tuning/record";
import type { Experiment, TrialState } from "../../core/tuning/types";
import type { RunSteps } from "../job/session";

export interface TuneRequest extends RunSteps {
  /** The Katib Experiment's file; otherwise parity.yaml's `tuning:` or a file next to the notebook. */
  experiment?: string;
  /** Start every trial at once, without running the first one alone to check the experiment. */
  noDoctor?: boolean;
  /** The id of an experiment to go on with: its trials are kept, those that did not end run again. */
  resume?: string;
  /** The experiment's record exists: said once, before any trial starts. */
  onStart?(run: { workspaceDir: string; runId: string; experiment: Experiment }): void;
  /** A trial was asked for, started or ended; the best trial so far with it. */
  onTrial?(trial: TrialState, best?: BestTrial): void;
  /** A line a trial wrote, with the trial's name as its source. */
  onLog?(line: LogLine): void;
}
