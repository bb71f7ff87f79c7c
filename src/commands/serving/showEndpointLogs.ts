import * as vscode from "vscode";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { endpointFor, type RecordedEndpoint } from "./endpoints";

/**
 * Parity: Show Endpoint Logs — the logs panel of the clicked (or picked) endpoint's run: KServe's
 * own lines. A local endpoint left serving has no process writing its log; its later lines are
 * read from its container into the record first, as parity logs does.
 */
export async function showEndpointLogs(services: Services, arg?: unknown): Promise<void> {
  const endpoint = await endpointFor(services, arg, { action: "show the logs of" });
  if (!endpoint) return;
  await catchUp(services, endpoint);
  (await import("../../panels")).showLogsPanel(services.context, endpoint.ref);
}

async function catchUp(services: Services, { result, dir }: RecordedEndpoint): Promise<void> {
  const unfollowed =
    result.endpoint?.detached && !isFinished(result.status) && !services.activeRuns.find(result.runId);
  // Reading the container is acting on what this workspace's record names: trusted workspaces only.
  if (!unfollowed || !vscode.workspace.isTrusted) return;
  try {
    const app = await services.app();
    await app.recoverRun(services.workspaceSessionContext(AbortSignal.timeout(30_000)), { dir, result });
  } catch (error) {
    services.log(
      `Endpoint ${result.runId}: its latest lines could not be read from its container: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
