import type { RunRef } from "../../panels/types";
import type { Services } from "../../services/container";
import { withCancellableProgress } from "../support/progress";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { announceRun } from "./announceRun";

/**
 * Parity: Run Locally with Production Limits — builds the image, checks parity, runs the notebook
 * on local Docker with the profile's limits; the logs panel opens when it starts, the diagnosis
 * panel when it fails. Cancel stops the build or the container.
 */
export async function runLocally(services: Services, arg?: unknown): Promise<void> {
  requireTrust("run");
  const notebookFile = notebookFor(services, arg, "run");
  await saveIfDirty(notebookFile);
  const heavy = await services.heavy();
  const panels = await services.panels();
  const name = fileName(notebookFile);
  let run: RunRef | undefined;

  const result = await withCancellableProgress(
    services,
    `Parity: ${name} with production limits`,
    async ({ signal, print }) => {
      const controller = new AbortController();
      signal.addEventListener("abort", () => controller.abort(), { once: true });
      const active = services.activeRuns.begin(notebookFile, () => controller.abort());
      try {
        const context = services.sessionContext(notebookFile, controller.signal);
        const prepared = await heavy.prepareRun(context, notebookFile, {
          params: [],
          python: services.python(),
          print,
          onReport: (parity, job) =>
            services.reports.checked({
              notebookFile: job.notebookFile,
              profileFile: job.profile.file,
              imageTag: job.plan.tag,
              ...parity,
            }),
        });
        const spec = heavy.jobSpecFor(prepared.job, prepared.built.tag, [], prepared.moduleDistributions);
        const handle = heavy.startLocalRun(prepared.connection.docker, spec);
        run = { workspaceDir: prepared.job.workspaceDir, runId: handle.runId };
        const started = run;
        controller.signal.addEventListener("abort", () => handle.cancel(), { once: true });
        services.activeRuns.started(active, handle.runId, prepared.job.workspaceDir);
        const subscription = handle.onStatus((status) => {
          // "running" fires once the record is on disk, so the panel finds it.
          if (status === "running" && services.setting("openLogsOnRun", true)) {
            panels.showLogsPanel(services.context, started);
          }
        });
        print(`Running ${handle.runId} on local Docker (cancel stops it)`);
        return await handle.result.finally(() => subscription.dispose());
      } finally {
        services.activeRuns.end(active);
      }
    },
  );
  if (run) announceRun(services, result, run, name, panels);
}
