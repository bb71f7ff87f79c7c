import type { RunHandle, TargetName } from "../../core/job/types";
import type { RunRef } from "../../panels/types";
import type { Services } from "../../services/container";
import type { ParityResult } from "../../targets/session";
import type { LoadedJob } from "../../targets/workspace";
import { withCancellableProgress, type ProgressReporter } from "../support/progress";
import { fileName } from "../support/targets";
import { announceRun } from "./announceRun";

export interface StartedRun {
  handle: RunHandle;
  workspaceDir: string;
  /** Said in the progress once it runs: where, and what Cancel does. */
  startedLine: string;
}

/**
 * What Run Locally and Run on Cluster share: a cancellable progress, the run known to this window
 * while it builds and runs (Cancel reaches it at every step), the logs panel once it runs, and its
 * end announced.
 */
export async function runTracked(
  services: Services,
  notebookFile: string,
  options: { title: string; target: TargetName; start(progress: ProgressReporter): Promise<StartedRun> },
): Promise<void> {
  const panels = await services.panels();
  let run: RunRef | undefined;
  const result = await withCancellableProgress(services, options.title, async ({ signal, print }) => {
    const controller = new AbortController();
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    const active = services.activeRuns.begin(notebookFile, () => controller.abort(), options.target);
    try {
      const { handle, workspaceDir, startedLine } = await options.start({ signal: controller.signal, print });
      const started = { workspaceDir, runId: handle.runId };
      run = started;
      controller.signal.addEventListener("abort", () => handle.cancel(), { once: true });
      services.activeRuns.started(active, handle.runId, workspaceDir, handle);
      const subscription = handle.onStatus((status) => {
        // "running" fires once the record is on disk, so the panel finds it.
        if (status === "running" && services.setting("openLogsOnRun", true)) {
          panels.showLogsPanel(services.context, started);
        }
      });
      print(startedLine);
      return await handle.result.finally(() => subscription.dispose());
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
