import * as vscode from "vscode";
import type { Services } from "../../services/container";
import { isRunNode } from "../../views/runs/runNode";
import { requireTrust } from "../support/targets";
import { runLocally } from "./runLocally";

/** Parity: Rerun — the clicked run's notebook again, as it is now, with production limits. */
export async function rerun(services: Services, arg?: unknown): Promise<void> {
  requireTrust("run");
  await runLocally(services, isRunNode(arg) ? vscode.Uri.file(arg.notebookFile) : arg);
}
