import type { Services } from "../../services/container";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { rerunOptions } from "./rerun";
import { runTracked } from "./trackedRun";

/**
 * Parity: Run Locally with Production Limits — builds the image, checks parity, runs the notebook
 * on local Docker with the profile's limits; the logs panel opens when it starts, the diagnosis
 * panel when it fails. Cancel stops the build or the container.
 */
export async function runLocally(services: Services, arg?: unknown, again?: unknown): Promise<void> {
  requireTrust("run");
  const notebookFile = notebookFor(services, arg, "run");
  await saveIfDirty(notebookFile);
  await runTracked(services, notebookFile, {
    title: rerunOptions(again)?.title ?? `Parity: ${fileName(notebookFile)} with production limits`,
    target: "local",
  });
}
