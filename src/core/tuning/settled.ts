import { wentAwayBeforeTheEnd, type GoneFollower } from "../diagnosis/followerGone";
import type { Diagnosis } from "../diagnosis/types";
import type { RunResult } from "../job/types";
import { bestTrial } from "./progress";
import type { ExperimentSpec, TrialState, TrialStatus } from "./types";

/** How a trial ended, as Katib's rules read it from its job run (trialEnd). */
export type TrialEndState = Pick<TrialState, "status" | "metrics" | "objective" | "finishedAt" | "reason">;

/** The ends a resumed experiment keeps; a trial that ended otherwise (cancelled, lost) runs again. */
export function keptOnResume(status: TrialStatus): boolean {
  return ["succeeded", "failed", "metrics-unavailable", "early-stopped"].includes(status);
}

/**
 * An experiment's record once the process that ran it went away, from the ends its running trials'
 * job runs got when they were settled (`ends`, by trial name: ended by themselves, or stopped).
 * A running trial without an end never got a record of its run: nothing says how it went, and it
 * runs again when the experiment is resumed. The experiment is `lost` (it did not end), with what
 * happened and the command that resumes it; `spec` (the experiment as read, where it still can be)
 * finds the best trial again.
 */
export function settledExperiment(
  record: RunResult,
  ends: ReadonlyMap<string, TrialEndState>,
  follower: GoneFollower,
  resumeCommand: string,
  spec?: ExperimentSpec,
): RunResult {
  const experiment = record.experiment;
  const running = experiment?.trials.filter((trial) => trial.status === "running") ?? [];
  const trials = (experiment?.trials ?? []).map((trial): TrialState =>
    trial.status !== "running"
      ? trial
      : {
          ...trial,
          ...(ends.get(trial.name) ?? {
            status: "lost",
            reason: "the experiment's process went away before its run was recorded",
          }),
        },
  );
  const endOf = (name: string) => trials.find((trial) => trial.name === name)!.status;
  const kept = running.filter((trial) => keptOnResume(endOf(trial.name))).length;
  const stopped = running.filter((trial) => endOf(trial.name) === "cancelled").length;
  const unknown = running.length - kept - stopped;
  const diagnosis: Diagnosis = {
    code: "ExperimentInterrupted",
    severity: "warning",
    message: `${wentAwayBeforeTheEnd(follower, "experiment")}. ${trialsThen(running.length, kept, stopped, unknown)}`,
    fix: `Resume it: ${resumeCommand} (in VS Code: Resume Experiment on its row in the Experiments view).`,
  };
  const best = spec ? bestTrial(spec, trials) : undefined;
  return {
    ...record,
    status: "lost",
    exitCode: null,
    ...(experiment && { experiment: { ...experiment, trials, best: best ?? experiment.best } }),
    diagnosis: [diagnosis, ...record.diagnosis],
  };
}

/** "Of the 3 trials running then, 1 ended by itself and is kept and 2 were stopped; the 2 that did not end run again when it is resumed." */
function trialsThen(running: number, kept: number, stopped: number, unknown: number): string {
  if (running === 0)
    return "No trial was running then; the experiment goes on from its record when it is resumed.";
  const one = (count: number, single: string, many: string) => (count === 1 ? single : many);
  const clauses = [
    kept > 0 && `${kept} ended by ${one(kept, "itself and is", "themselves and are")} kept`,
    stopped > 0 && `${stopped} ${one(stopped, "was", "were")} stopped`,
    unknown > 0 && `${unknown} left nothing to say how ${one(unknown, "it", "they")} ended`,
  ].filter((clause): clause is string => Boolean(clause));
  const listed = clauses.length > 1 ? `${clauses.slice(0, -1).join(", ")} and ${clauses.at(-1)}` : clauses[0];
  const again = stopped + unknown;
  const rerun =
    again === 0
      ? ""
      : `; ${one(again, "the one that did not end runs", `the ${again} that did not end run`)} again when it is resumed`;
  return `Of the ${running} ${one(running, "trial", "trials")} running then, ${listed}${rerun}.`;
}
