import type { ParityResult } from "../../app/job/session";
import type { RunRef } from "../../app/store";
import type { LoadedJob } from "../../app/job/load";
import type { RunRequest, StartedRun } from "../../app/targets/target";
import type { TargetName } from "../../core/job/types";
import { unreachableWords } from "../../core/presentation/runStatus";
import type { Services } from "../../services/container";
import { withCancellableProgress } from "../support/progress";
import { CANCEL_WORDS, cancelWhenAborted } from "../support/stopRun";
import { fileName } from "../support/targets";
import { announceRun } from "./announceRun";

/** What one target's command adds to the request every run makes (the cluster's placement, credentials...). */
export type RequestExtras = Partial<Omit<RunRequest, "notebook" | "print">>;

/**
 * What Run Locally and Run on Cluster share, whatever the target: a cancellable progress, the run
 * known to this window while it builds and runs (Cancel reaches it at every step), the logs panel
 * once it runs, and its end announced.
 */
export async function runTracked(
  services: Services,
  notebookFile: string,
  options: {
    title: string;
    target: TargetName;
    extras?: RequestExtras;
    /** Told once the run has started (before it ends). */
    onStarted?(started: StartedRun): void;
  },
): Promise<void> {
  const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
  const target = app.targetNamed(options.target);
  let run: RunRef | undefined;
  const result = await withCancellableProgress(services, options.title, async ({ signal, print }) => {
    const controller = new AbortController();
    const active = services.activeRuns.begin(notebookFile, () => controller.abort(), target.name);
    // The progress's Cancel asks as Cancel Run does; backed out of, the run goes on, followed here
    // and listed in the Runs view.
    cancelWhenAborted(services, signal, active, {
      words: CANCEL_WORDS,
      goesOn: `${fileName(notebookFile)} goes on: Cancel Run in the Runs view stops it.`,
      command: "parity.cancelRun",
    });
    try {
      const started = await target.start(services.sessionContext(notebookFile, controller.signal), {
        notebook: notebookFile,
        params: [],
        python: services.python(),
        onReport: keepReport(services),
        ...options.extras,
        print,
      });
      const { handle } = started;
      const ref = { workspaceDir: started.job.workspaceDir, runId: handle.runId };
      run = ref;
      controller.signal.addEventListener("abort", () => handle.cancel(), { once: true });
      services.activeRuns.started(active, handle.runId, ref.workspaceDir, handle);
      options.onStarted?.(started);
      const subscription = handle.onStatus((status) => {
        // "running" fires once the record is on disk, so the panel finds it.
        if (status === "running" && services.setting("openLogsOnRun", true)) {
          panels.showLogsPanel(services.context, ref);
        }
      });
      const running = `Running ${handle.runId} ${started.where} (cancel ${started.cancelEffect})`;
      print(running);
      // While the cluster does not answer, the progress says so rather than the last status seen.
      const reach = handle.onUnreachable?.((since) =>
        print(since ? `${running}: ${unreachableWords(since)}; Parity keeps trying` : running),
      );
      return await handle.result.finally(() => {
        subscription.dispose();
        reach?.dispose();
      });
    } finally {
      services.activeRuns.end(active);
    }
  });
  if (run) announceRun(services, result, run, fileName(notebookFile), panels);
}

/** Keeps the parity check a run made, so the status bar and the report show it. */
export function keepReport(services: Services): (parity: ParityResult, job: LoadedJob) => void {
  return (parity, job) =>
    services.reports.checked({
      notebookFile: job.notebookFile,
      profileFile: job.profile.file,
      imageTag: job.plan.tag,
      ...parity,
    });
}
