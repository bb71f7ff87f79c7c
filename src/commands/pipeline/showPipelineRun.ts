import path from "node:path";
import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import { runRefOfDir, type StoredRun } from "../../app/store";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import type { PipelineRunNode } from "../../views/pipelines/pipelinesModel";

export function isPipelineRunNode(value: unknown): value is PipelineRunNode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Partial<PipelineRunNode>).kind === "pipelineRun" &&
    typeof (value as Partial<PipelineRunNode>).dir === "string"
  );
}

/**
 * Parity: Open Run Graph — the clicked pipeline run's graph, else that of the active notebook's
 * newest pipeline run, else of the newest pipeline run of the workspace.
 */
export async function showPipelineRun(services: Services, arg?: unknown): Promise<void> {
  const runs = (await recordedRuns()).filter((run) => run.result.kind === "pipeline");
  let stored: StoredRun | undefined;
  if (isPipelineRunNode(arg)) {
    // Only a run this workspace records: the row's own fields could say anything.
    stored = runs.find((run) => run.dir === arg.dir);
    if (!stored) {
      throw new ParityError(
        "RunNotFound",
        "Parity has no record of this pipeline run in the workspace folders.",
        {
          fix: "Pick the run again in the Pipelines view.",
        },
      );
    }
  } else {
    const active = services.activeNotebook.file;
    stored =
      runs.find((run) => active && path.resolve(run.result.notebook) === path.resolve(active)) ?? runs[0];
  }
  if (!stored) {
    throw new ParityError("NoRuns", "There is no pipeline run in this workspace yet.", {
      fix: "Open a notebook tagged for Kale (step:<name> cells) and use Parity: Run Pipeline Locally.",
    });
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const ref = runRefOfDir(stored.dir, folders);
  if (!ref) {
    throw new ParityError(
      "RunFolderUnexpected",
      `The record in ${stored.dir} is not a run folder of this workspace (<folder>/.parity/runs/<run id>).`,
      { fix: "Open the folder that holds the run as a workspace folder." },
    );
  }
  (await import("../../panels")).showPipelineRunPanel(services.context, ref);
}
