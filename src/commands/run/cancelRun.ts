import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { isRunNode } from "../../views/runs/runNode";
import { recordedRuns } from "../../services/runRecords";

/**
 * Parity: Cancel Run — a run of this window is cancelled through its handle (the container is
 * stopped and removed, or the cluster workload deleted; the record says cancelled); a local run
 * started elsewhere (the CLI) has its container stopped, and its own process records the end; a
 * cluster run started elsewhere is deleted after confirmation.
 */
export async function cancelRun(services: Services, arg?: unknown): Promise<void> {
  const target = isRunNode(arg) ? (arg.activeKey ?? arg.summary.runId) : await pickLiveRun(services);
  if (!target) return;
  const active = services.activeRuns.find(target);
  if (active) {
    active.cancel();
    return;
  }
  // A cluster run started elsewhere (the CLI, another window): cancelling it is deleting its workload.
  if (isRunNode(arg) && arg.summary.target === "cluster") {
    await vscode.commands.executeCommand("parity.deleteClusterRun", arg);
    return;
  }
  const heavy = await services.heavy();
  const context = services.workspaceSessionContext(AbortSignal.timeout(30_000));
  const stopped = await heavy.stopRunContainers(
    await heavy.connect(context, (line) => services.log(line)),
    target,
  );
  if (stopped === 0) {
    throw new ParityError("RunNotRunning", `The run ${target} has no container running any more.`, {
      fix: "Refresh the Runs view: the run has ended, or its process was stopped before it could record the end.",
    });
  }
  services.log(`${target}: stopped its container.`);
}

async function pickLiveRun(services: Services): Promise<string | undefined> {
  const live = [
    ...services.activeRuns
      .all()
      .map((run) => ({ key: run.key, file: run.notebookFile, id: run.runId ?? "building" })),
    ...(await recordedRuns())
      .filter((run) => run.result.status === "running" && !services.activeRuns.find(run.result.runId))
      .map((run) => ({ key: run.result.runId, file: run.result.notebook, id: run.result.runId })),
  ];
  if (live.length === 0) {
    void vscode.window.showInformationMessage("No Parity run is building or running.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    live.map((run) => ({ label: path.basename(run.file), description: run.id, key: run.key })),
    { title: "Cancel which run?" },
  );
  return picked?.key;
}
