import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { readRecordOf, workspaceOfRunDir } from "../../app/store";
import type { TargetName } from "../../core/job/types";
import { TARGET_LABELS } from "../../core/presentation/targets";
import type { Services } from "../../services/container";
import { isRunNode } from "../../views/runs/runNode";
import { fileName, requireTrust } from "../support/targets";

/** The command that runs a notebook on each target: a new target adds its own (the type says so). */
const RUN_COMMANDS: Record<TargetName, string> = {
  local: "parity.runLocally",
  cluster: "parity.runOnCluster",
};

/** What Rerun tells the run command: where the run went, and the progress title that says so. */
export interface RerunOptions {
  rerun: true;
  title: string;
  /** The context and namespace the run went to: they win over the ones chosen for the window. */
  placement?: { context: string; namespace: string };
}

export function rerunOptions(value: unknown): RerunOptions | undefined {
  return typeof value === "object" && value !== null && (value as RerunOptions).rerun === true
    ? (value as RerunOptions)
    : undefined;
}

/**
 * Parity: Rerun — the clicked run's notebook again, as it is now, where it ran: its target, and on
 * a cluster its context and namespace, read from its record (not from the row).
 */
export async function rerun(_services: Services, arg?: unknown): Promise<void> {
  requireTrust("run");
  if (!isRunNode(arg)) {
    await vscode.commands.executeCommand(RUN_COMMANDS.local, arg);
    return;
  }
  const record =
    arg.dir === undefined
      ? undefined
      : await readRecordOf({ workspaceDir: workspaceOfRunDir(arg.dir), runId: arg.summary.runId });
  if ((record ?? arg.summary).kind === "pipeline" || (record ?? arg.summary).step !== undefined) {
    // Rerun runs a notebook as one job: a pipeline's notebook would run every cell, skip cells too.
    throw new ParityError(
      "RerunPipeline",
      `${arg.summary.runId} is part of a pipeline run; Rerun runs a notebook as one job.`,
      { fix: `Run the pipeline again in a terminal: parity pipeline run ${fileName(arg.notebookFile)}` },
    );
  }
  const target = record?.target ?? arg.summary.target;
  const cluster = record?.cluster;
  const placement = cluster && { context: cluster.context, namespace: cluster.namespace };
  const where = placement
    ? `on ${target} ${placement.context}/${placement.namespace}`
    : `on ${TARGET_LABELS[target]}`;
  const options: RerunOptions = {
    rerun: true,
    title: `Parity: Rerunning ${fileName(arg.notebookFile)} ${where}`,
    placement,
  };
  await vscode.commands.executeCommand(RUN_COMMANDS[target], vscode.Uri.file(arg.notebookFile), options);
}
