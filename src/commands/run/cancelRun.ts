import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { isRunNode } from "../../views/runs/runNode";
import { confirmRemoval } from "../support/confirm";
import { withCancellableProgress } from "../support/progress";
import { requireTrust } from "../support/targets";

/**
 * Parity: Cancel Run — a run of this window is cancelled through its handle (the container is
 * stopped and removed, or the cluster workload deleted; the record says cancelled). A run another
 * process follows (the CLI, another window) is cancelled through its target, after the target's
 * confirmation where it asks for one (a workload's deletion; its name typed in a protected
 * namespace); that process records the end.
 */
export async function cancelRun(services: Services, arg?: unknown): Promise<void> {
  const key = isRunNode(arg) ? (arg.activeKey ?? arg.summary.runId) : await pickLiveRun(services);
  if (!key) return;
  const active = services.activeRuns.find(key);
  if (active) {
    active.cancel();
    return;
  }
  requireTrust("cancel");
  const stored = (await recordedRuns()).find((run) => run.result.runId === key);
  if (!stored) {
    throw new ParityError("RunNotFound", `Parity has no record of the run ${key} in the workspace folders.`, {
      fix: "Refresh the Runs view and pick the run there.",
    });
  }
  const app = await services.app();
  const target = app.targetNamed(stored.result.target);
  const context = () => services.workspaceSessionContext(AbortSignal.timeout(30_000));
  const needed = await target.confirmation(context(), stored);
  const answer = needed
    ? await confirmRemoval(needed, {
        verb: "Delete",
        detail: "Cancelling the run deletes it there. The run's record and logs stay in the workspace.",
      })
    : {};
  if (!answer) return;
  await withCancellableProgress(services, `Parity: cancelling ${key}`, () =>
    target.cancel(context(), stored, answer),
  );
  services.log(`${key}: cancelled on ${target.label}; the process that follows it records the end.`);
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
