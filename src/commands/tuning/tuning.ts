import * as vscode from "vscode";
import type { SessionContext } from "../../app/context";
import type { RunRef } from "../../app/store";
import type { TuneRequest } from "../../app/tuning/request";
import { ParityError } from "../../core/errors";
import type { RunResult, TargetName } from "../../core/job/types";
import { formatDuration } from "../../core/presentation/runStatus";
import { shortNumber, trialCounts, trialEnded } from "../../core/presentation/trialStatus";
import { describeAssignment, type BestTrial } from "../../core/tuning/record";
import type { TrialState } from "../../core/tuning/types";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";
import type { GuardedAction } from "../../services/trust";
import { keepReport } from "../run/trackedRun";
import { withCancellableProgress } from "../support/progress";
import { followHere, leftRunning } from "../support/followHere";
import { CANCEL_EXPERIMENT_WORDS, cancelWhenAborted } from "../support/stopRun";
import { fileName, requireTrust, saveIfDirty } from "../support/targets";

/** What a tuning request carries to its target: the experiment's, and the window's way to let it go on without it. */
export interface TargetTuneRequest extends TuneRequest {
  /** Aborted when the window closes: a target whose work outlives the window stops following it. */
  detach: AbortSignal;
}

/** Where an experiment's trials run: what its command checks first and adds to the request. */
export interface TuningTarget {
  name: TargetName;
  /** What the workspace must be trusted with. */
  trust: GuardedAction;
  /** After the notebook's name in the progress and the announcement: "" or " on the cluster". */
  where: string;
  /** Runs the experiment through the application layer, with what this target adds to the request. */
  run(app: App, context: SessionContext, request: TargetTuneRequest): Promise<RunResult>;
}

/** Local Docker: each trial a container under the profile's limits. */
export const LOCAL_TUNING: TuningTarget = {
  name: "local",
  trust: "run",
  where: "",
  run: (app, context, request) => app.tuneLocally(context, request),
};

/**
 * What Tune, Tune on Cluster and Resume Experiment share: one experiment per notebook per window,
 * known to the window before anything is awaited; a progress that says how far the trials are,
 * whose Cancel (or Cancel Experiment on the experiment's row) stops it as Cancel Run stops a run
 * (local trials' containers at once, a cluster's Experiment deleted once the user confirms); the
 * tuning panel once the experiment's record is written; and how it ended, said once. An experiment
 * whose work outlives the window (a Katib Experiment) is left running when the window closes, and
 * the next window follows it again.
 */
export async function runTuning(
  services: Services,
  file: string,
  target: TuningTarget,
  resume?: string,
): Promise<void> {
  requireTrust(target.trust);
  const name = fileName(file);
  if (services.activeRuns.all().some((run) => run.kind === "experiment" && run.notebookFile === file)) {
    throw new ParityError(
      "ExperimentRunning",
      `An experiment of ${name} is already running in this window.`,
      {
        fix: "Wait for it to end, or stop it with Cancel Experiment on its row in the Experiments view.",
      },
    );
  }
  const followed = followHere(services, file, target.name, "experiment");
  const { active } = followed;
  let run: RunRef | undefined;
  let started = false;
  try {
    await saveIfDirty(file);
    const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
    const result = await withCancellableProgress(
      services,
      `Parity: ${resume ? `resuming ${resume}` : `tuning ${name}${target.where}`}`,
      async ({ signal, print }) => {
        started = true;
        cancelWhenAborted(services, signal, active, {
          words: CANCEL_EXPERIMENT_WORDS,
          goesOn: `The experiment of ${name} goes on: Cancel Experiment on its row in the Experiments view stops it.`,
          command: "parity.cancelExperiment",
        });
        const trials = new Map<string, TrialState>();
        let best: BestTrial | undefined;
        let metric = "";
        let most: number | undefined;
        try {
          return await target.run(app, services.sessionContext(file, followed.cancel), {
            notebook: file,
            params: [],
            python: services.python(),
            onReport: keepReport(services),
            ...(resume ? { resume } : {}),
            detach: followed.detach,
            // The build's lines show in the progress; once trials go, the progress says how far they are.
            print: (line) => (trials.size > 0 ? services.log(line) : print(line)),
            // The experiment's record is written: the views and the tuning panel follow it.
            onStart: (started) => {
              run = { workspaceDir: started.workspaceDir, runId: started.runId };
              metric = started.experiment.spec.objective.objectiveMetricName;
              most = started.experiment.spec.maxTrialCount;
              followed.started(run, app);
              panels.showTuningPanel(services.context, run);
            },
            onTrial: (trial, bestSoFar) => {
              trials.set(trial.name, trial);
              best = bestSoFar;
              print(trialsProgress([...trials.values()], most, best, metric));
            },
          });
        } finally {
          services.activeRuns.end(active);
        }
      },
    );
    announce(services, result, `${name}${target.where}`, run, panels);
  } finally {
    // Refused or failed before the progress began (a save, a load): the window forgets it.
    if (!started) services.activeRuns.end(active);
  }
}

/** "Running train-random-4, train-random-5 · 3 of 6 trials done · best accuracy 0.8463 (train-random-3)" */
export function trialsProgress(
  trials: readonly TrialState[],
  most: number | undefined,
  best: BestTrial | undefined,
  metric: string,
): string {
  const running = trials.filter((trial) => trial.status === "running").map((trial) => trial.name);
  const done = trials.filter((trial) => trialEnded(trial.status)).length;
  const doing = running.length > 0 ? `Running ${running.join(", ")}` : "Asking for the next trials";
  const bestText = best ? ` · best ${metric} ${shortNumber(best.objective)} (${best.trial})` : "";
  return `${doing} · ${done}${most !== undefined ? ` of ${most}` : ""} trials done${bestText}`;
}

/** How the experiment ended, said once: its best trial, or why it stopped and what to do. */
export function endMessage(result: RunResult, name: string): { text: string; warning: boolean } {
  const experiment = result.experiment;
  const took = result.durationMs !== undefined ? ` in ${formatDuration(result.durationMs)}` : "";
  const counts = experiment ? trialCounts(experiment.trials) : "";
  const trialsText = experiment ? ` (${experiment.trials.length} trials${counts ? `: ${counts}` : ""})` : "";
  const best = experiment?.best;
  const bestText =
    best && experiment
      ? ` Best: ${best.trial}, ${experiment.objective.metric} = ${best.objective} with ${describeAssignment(best.parameters)}.`
      : "";
  const problem = result.diagnosis[0];
  const problemText = problem ? ` ${problem.message} Fix: ${problem.fix}` : "";
  if (result.status === "succeeded") {
    return {
      text: `The experiment of ${name} succeeded${took}${trialsText}.${bestText || ` No trial reported ${experiment?.objective.metric ?? "its objective"}.`}`,
      warning: !best,
    };
  }
  if (result.status === "cancelled") {
    const resume =
      result.target === "local"
        ? " Resume it with Resume Experiment on its row in the Experiments view."
        : "";
    return {
      text: `The experiment of ${name} was cancelled${trialsText}.${bestText}${resume}`,
      warning: false,
    };
  }
  if (experiment?.reason === "DoctorRefused") {
    return {
      text: `The doctor stopped the experiment of ${name} after its first trial, before the others ran:${problemText || " see its first trial's logs."}`,
      warning: true,
    };
  }
  return {
    text: `The experiment of ${name} ${result.status}${experiment?.reason ? ` (${experiment.reason})` : ""}${trialsText}.${problemText}${bestText}`,
    warning: true,
  };
}

function announce(
  services: Services,
  result: RunResult,
  name: string,
  run: RunRef | undefined,
  panels: typeof import("../../panels"),
): void {
  if (leftRunning(services, result)) return;
  const { text, warning } = endMessage(result, name);
  services.log(`${result.runId}: ${text}`);
  const actions = run ? ["Open Tuning Panel"] : [];
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(text, ...actions).then((choice) => {
    if (choice && run) panels.showTuningPanel(services.context, run);
  });
}
