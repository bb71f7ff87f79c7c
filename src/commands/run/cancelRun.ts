import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { isRunNode } from "../../views/runs/runNode";
import { workspaceOfRunDir } from "../../app/store";
import { CANCEL_WORDS, cancelRunConfirmed } from "../support/stopRun";
import { requireTrust } from "../support/targets";

/**
 * Parity: Cancel Run — stops a run the one way every command does (cancelRunConfirmed): a run
 * still building stops at once, a local container is stopped and removed, a cluster workload is
 * deleted once the user confirms (its name typed in a protected namespace). A run another process
 * follows (the CLI, another window) records its end there.
 */
export async function cancelRun(services: Services, arg?: unknown): Promise<void> {
  const key = isRunNode(arg) ? (arg.activeKey ?? arg.summary.runId) : await pickLiveRun(services);
  if (!key) return;
  const active = services.activeRuns.find(key);
  if (!active) requireTrust("cancel");
  const stored = active ? undefined : (await recordedRuns()).find((run) => run.result.runId === key);
  if (!active && !stored) {
    throw new ParityError("RunNotFound", `Parity has no record of the run ${key} in the workspace folders.`, {
      fix: "Refresh the Runs view and pick the run there.",
    });
  }
  const recorded = stored && { workspaceDir: workspaceOfRunDir(stored.dir), runId: stored.result.runId };
  if (await cancelRunConfirmed(services, { active, recorded }, CANCEL_WORDS)) {
    services.log(`${key}: cancel requested; the process that follows it records the end.`);
  }
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
