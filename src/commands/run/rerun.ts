import * as vscode from "vscode";
import type { TargetName } from "../../core/job/types";
import type { Services } from "../../services/container";
import { isRunNode } from "../../views/runs/runNode";
import { requireTrust } from "../support/targets";

/** The command that runs a notebook on each target: a new target adds its own (the type says so). */
const RUN_COMMANDS: Record<TargetName, string> = {
  local: "parity.runLocally",
  cluster: "parity.runOnCluster",
};

/** Parity: Rerun — the clicked run's notebook again, as it is now, on the target it ran on. */
export async function rerun(_services: Services, arg?: unknown): Promise<void> {
  requireTrust("run");
  const target = isRunNode(arg) ? arg.summary.target : "local";
  const notebook = isRunNode(arg) ? vscode.Uri.file(arg.notebookFile) : arg;
  await vscode.commands.executeCommand(RUN_COMMANDS[target], notebook);
}
