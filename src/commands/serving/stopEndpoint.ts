import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { isEndpointNode } from "../../views/endpoints/endpointsModel";
import { cancelRunConfirmed, type StopWords } from "../support/stopRun";
import { requireTrust } from "../support/targets";
import { endpointFor, endpointWords, type RecordedEndpoint } from "./endpoints";

/** What stopping an endpoint says before and while its cluster workload is deleted (a local one is stopped at once). */
export const STOP_ENDPOINT_WORDS: StopWords = {
  verb: "Stop",
  detail:
    "Stopping the endpoint deletes its InferenceService there: it no longer answers. Its record and logs stay in the workspace.",
  progress: "Parity: stopping the endpoint",
};

/**
 * Parity: Stop Endpoint — stops an endpoint the one way every run is stopped (cancelRunConfirmed):
 * one this window is still deploying stops at once; a local endpoint's container is stopped and
 * removed and its record says stopped, whichever process started it (a detached one has none left
 * following it: it is settled here); a cluster endpoint's InferenceService is deleted once the user
 * confirms (its name typed in a protected namespace), and its record read again from the cluster.
 */
export async function stopEndpoint(services: Services, arg?: unknown): Promise<void> {
  if (isEndpointNode(arg) && !arg.dir) {
    // Still building its serving image in this window: no record yet, so its progress is cancelled.
    services.activeRuns.find(arg.runId)?.cancel();
    return;
  }
  const endpoint = await endpointFor(services, arg, { action: "stop", liveOnly: true });
  if (!endpoint) return;
  const { result, ref } = endpoint;
  if (isFinished(result.status)) {
    throw new ParityError(
      "EndpointNotServing",
      `The endpoint ${endpointWords(result)} does not serve any more.`,
      {
        fix: "Nothing is left to stop: refresh the Endpoints view.",
      },
    );
  }
  const active = services.activeRuns.find(result.runId);
  if (!active) requireTrust("cancel");
  const stopped = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Window,
      title: `Stopping endpoint ${result.endpoint?.name ?? result.runId}`,
    },
    () => cancelRunConfirmed(services, { active, recorded: ref }, STOP_ENDPOINT_WORDS),
  );
  if (!stopped) return;
  services.log(`${result.runId}: the endpoint ${result.endpoint?.name ?? ""} was asked to stop.`);
  if (result.target === "cluster" && !active) await readAgain(services, endpoint);
}

/**
 * A cluster endpoint has no process following it: its record is read again from the cluster once,
 * so that it says at once that its InferenceService is gone (or going).
 */
async function readAgain(services: Services, { dir, result }: RecordedEndpoint): Promise<void> {
  try {
    const app = await services.app();
    const recovery = await app.recoverRun(services.workspaceSessionContext(AbortSignal.timeout(30_000)), {
      dir,
      result,
    });
    const ended = recovery.result ?? (await recovery.handle.result);
    services.log(`${result.runId}: recorded ${ended.status}.`);
  } catch (error) {
    // The Endpoints view's watch of it (or another process) records the end instead.
    services.log(
      `${result.runId}: its record was not read again from the cluster: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
