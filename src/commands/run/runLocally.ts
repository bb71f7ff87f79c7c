import type { Services } from "../../services/container";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { keepReport, runTracked } from "./trackedRun";

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
  await runTracked(services, notebookFile, {
    title: `Parity: ${fileName(notebookFile)} with production limits`,
    target: "local",
    start: async ({ signal, print }) => {
      const context = services.sessionContext(notebookFile, signal);
      const prepared = await heavy.prepareRun(context, notebookFile, {
        params: [],
        python: services.python(),
        print,
        onReport: keepReport(services),
      });
      const spec = heavy.jobSpecFor(prepared.job, prepared.built.tag, [], prepared.moduleDistributions);
      const handle = heavy.startLocalRun(prepared.connection.docker, spec);
      return {
        handle,
        workspaceDir: prepared.job.workspaceDir,
        startedLine: `Running ${handle.runId} on local Docker (cancel stops it)`,
      };
    },
  });
}
