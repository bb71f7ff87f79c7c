import * as vscode from "vscode";
import type { RunRef } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { formatDuration } from "../../core/presentation/runStatus";
import { shortNumber, trialCounts, trialEnded } from "../../core/presentation/trialStatus";
import { describeAssignment, type BestTrial } from "../../core/tuning/record";
import type { TrialState } from "../../core/tuning/types";
import type { Services } from "../../services/container";
import { keepReport } from "../run/trackedRun";
import { withCancellableProgress } from "../support/progress";
import { fileName, requireTrust, saveIfDirty } from "../support/targets";

/**
 * What Tune and Resume Experiment share: one experiment per notebook per window, known to the
 * window before anything is awaited; a progress that says how far the trials are, whose Cancel
 * (or Cancel Experiment on the experiment's row) stops the trials running, as Ctrl-C does in the
 * CLI; the tuning panel once the experiment's record is written; and how it ended, said once.
 */
export async function runTuning(services: Services, file: string, resume?: string): Promise<void> {
  requireTrust("run");
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
  // Known to this window at once, before anything is awaited: a second click finds it running.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  const active = services.activeRuns.begin(file, stop, "local", "experiment");
  let run: RunRef | undefined;
  let started = false;
  try {
    await saveIfDirty(file);
    const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
    const result = await withCancellableProgress(
      services,
      `Parity: ${resume ? `resuming ${resume}` : `tuning ${name}`}`,
      async ({ signal, print }) => {
        started = true;
        signal.addEventListener("abort", stop, { once: true });
        const trials = new Map<string, TrialState>();
        let best: BestTrial | undefined;
        let metric = "";
        let most: number | undefined;
        try {
          return await app.tuneLocally(services.sessionContext(file, controller.signal), {
            notebook: file,
            params: [],
            python: services.python(),
            onReport: keepReport(services),
            ...(resume ? { resume } : {}),
            // The build's lines show in the progress; once trials go, the progress says how far they are.
            print: (line) => (trials.size > 0 ? services.log(line) : print(line)),
            // The experiment's record is written: the views and the tuning panel follow it.
            onStart: (started) => {
              run = { workspaceDir: started.workspaceDir, runId: started.runId };
              metric = started.experiment.spec.objective.objectiveMetricName;
              most = started.experiment.spec.maxTrialCount;
              services.activeRuns.started(active, started.runId, started.workspaceDir);
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
    announce(services, result, file, run, panels);
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
    return {
      text: `The experiment of ${name} was cancelled${trialsText}.${bestText} Resume it with Resume Experiment on its row in the Experiments view.`,
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
  file: string,
  run: RunRef | undefined,
  panels: typeof import("../../panels"),
): void {
  const { text, warning } = endMessage(result, fileName(file));
  services.log(`${result.runId}: ${text}`);
  const actions = run ? ["Open Tuning Panel"] : [];
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(text, ...actions).then((choice) => {
    if (choice && run) panels.showTuningPanel(services.context, run);
  });
}
