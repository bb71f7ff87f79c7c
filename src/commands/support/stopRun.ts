import * as vscode from "vscode";
import type { RunStop } from "../../app/targets/stop";
import type { RunRef } from "../../app/store";
import type { ActiveRun } from "../../services/activeRuns";
import type { Services } from "../../services/container";
import { reportFailure } from "./boundary";
import { confirmRemoval } from "./confirm";
import { withCancellableProgress } from "./progress";

/** How the question and the progress read: "Delete", "Cancelling the run deletes it there...". */
export interface StopWords {
  verb: string;
  detail: string;
  /** The progress shown while a workload is deleted. */
  progress: string;
}

/** What cancelling a run says before and while it deletes the run's workload. */
export const CANCEL_WORDS: StopWords = {
  verb: "Delete",
  detail: "Cancelling the run deletes it there. The run's record and logs stay in the workspace.",
  progress: "Parity: cancelling the run",
};

/** What cancelling an experiment says before and while it deletes its Katib Experiment. */
export const CANCEL_EXPERIMENT_WORDS: StopWords = {
  verb: "Delete",
  detail:
    "Cancelling the experiment deletes it there, and Katib deletes its trials with it. Its record and its trials' logs stay in the workspace.",
  progress: "Parity: cancelling the experiment",
};

/** What cancelling a pipeline run says before and while it deletes its Argo Workflow. */
export const CANCEL_PIPELINE_WORDS: StopWords = {
  verb: "Delete",
  detail:
    "Cancelling the pipeline run deletes its Workflow there, and its steps' pods with it. Its record and its steps' logs stay in the workspace.",
  progress: "Parity: cancelling the pipeline run",
};

/**
 * A progress's Cancel, asked as the row's Cancel asks (cancelRunConfirmed: a workload's name typed
 * in a protected namespace; nothing to ask for a local container). Backed out of, the run goes on,
 * followed here, and `goesOn` says how to stop it later. `command` names the failure in the output.
 */
export function cancelWhenAborted(
  services: Services,
  signal: AbortSignal,
  active: ActiveRun,
  how: { words: StopWords; goesOn: string; command: string },
): void {
  signal.addEventListener(
    "abort",
    () =>
      void cancelRunConfirmed(services, { active }, how.words).then(
        (stopped) => {
          if (stopped) return;
          services.log(`${active.runId ?? active.key}: not cancelled; it goes on.`);
          void vscode.window.showInformationMessage(how.goesOn);
        },
        (error: unknown) => reportFailure(services, how.command, error),
      ),
    { once: true },
  );
}

/**
 * Cancel as every command does it: the application layer decides what must be confirmed (runStop),
 * asked here, then the run is stopped. `active` is the run when this window follows it (stopped at
 * once where nothing needs confirming); `recorded` when it is only on disk. False when the user
 * backed out.
 */
export async function cancelRunConfirmed(
  services: Services,
  run: { active?: ActiveRun; recorded?: RunRef },
  words: StopWords,
): Promise<boolean> {
  const app = await services.app();
  const { active } = run;
  const ref =
    active?.runId && active.workspaceDir
      ? { runId: active.runId, workspaceDir: active.workspaceDir }
      : run.recorded;
  const stop = await app.runStop(
    () => services.workspaceSessionContext(AbortSignal.timeout(30_000)),
    ref,
    active && { cancel: () => active.cancel() },
  );
  return confirmAndStop(services, stop, words);
}

/**
 * Asks what `stop.needed` says (the name typed exactly in a protected namespace, a modal yes
 * elsewhere; nothing when nothing needs confirming), then stops. False when the user backed out.
 */
export async function confirmAndStop(services: Services, stop: RunStop, words: StopWords): Promise<boolean> {
  if (!stop.needed) {
    await stop.stop();
    return true;
  }
  const answer = await confirmRemoval(stop.needed, words);
  if (!answer) return false;
  await withCancellableProgress(services, words.progress, () => stop.stop(answer));
  return true;
}
