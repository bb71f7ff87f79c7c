import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { removeRecord, runDir } from "../../app/store";
import { isFinished } from "../../core/workload/status";
import { isRunNode } from "../../views/runs/runNode";
import { runFor } from "../support/runs";

/**
 * Parity: Remove Run — deletes the record and logs of a finished run (or of one whose process went
 * away) after confirmation, and in a trusted workspace what its target kept of it for nothing (a
 * container a killed process left); outputs stay.
 */
export async function removeRun(services: Services, arg?: unknown): Promise<void> {
  const run = await runFor(services, arg, "remove");
  const orphaned = isRunNode(arg) && arg.orphaned === true;
  if (!isFinished(run.result.status) && !orphaned) {
    throw new ParityError("RunStillRunning", `The run ${run.ref.runId} is still ${run.result.status}.`, {
      fix: "Cancel it first, then remove it.",
    });
  }
  // Only ever a folder directly inside .parity/runs, named by the run's id.
  const expected = runDir(run.ref);
  if (path.resolve(run.dir) !== expected) {
    throw new ParityError(
      "RunFolderUnexpected",
      `The run's record is not where Parity keeps runs (${expected}).`,
      {
        fix: "Remove the folder yourself if you no longer need it.",
      },
    );
  }
  const remove = "Remove";
  const choice = await vscode.window.showWarningMessage(
    `Remove the run ${run.ref.runId} of ${path.basename(run.result.notebook)}?`,
    { modal: true, detail: `Its record and logs in ${expected} are deleted. Its outputs folder is kept.` },
    remove,
  );
  if (choice !== remove) return;
  if (vscode.workspace.isTrusted) {
    const app = await services.app();
    await app
      .targetNamed(run.result.target)
      .remove(services.workspaceSessionContext(AbortSignal.timeout(30_000)), run)
      .catch((error: unknown) => services.log(`Removing what run ${run.ref.runId} left: ${String(error)}`));
  }
  await removeRecord(run.ref);
  services.log(`Removed ${expected}.`);
  await vscode.commands.executeCommand("parity.refreshRuns");
}
