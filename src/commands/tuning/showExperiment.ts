import path from "node:path";
import * as vscode from "vscode";
import { runRefOfDir, type StoredRun } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import type { ExperimentRunNode } from "../../views/experiments/experimentsModel";

export function isExperimentRunNode(value: unknown): value is ExperimentRunNode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Partial<ExperimentRunNode>).kind === "experimentRun" &&
    typeof (value as Partial<ExperimentRunNode>).dir === "string"
  );
}

/** The experiment of a row, as this workspace records it (the row's own fields could say anything). */
export async function recordedExperiment(arg: ExperimentRunNode): Promise<StoredRun> {
  const stored = (await recordedRuns()).find(
    (run) => run.dir === arg.dir && run.result.kind === "experiment",
  );
  if (!stored) {
    throw new ParityError(
      "RunNotFound",
      "Parity has no record of this experiment in the workspace folders.",
      {
        fix: "Pick the experiment again in the Experiments view.",
      },
    );
  }
  return stored;
}

/**
 * Parity: Open Tuning Panel — the clicked experiment's panel, else that of the active notebook's
 * newest experiment, else of the newest experiment of the workspace.
 */
export async function showExperiment(services: Services, arg?: unknown): Promise<void> {
  let stored: StoredRun | undefined;
  if (isExperimentRunNode(arg)) stored = await recordedExperiment(arg);
  else {
    const runs = (await recordedRuns()).filter((run) => run.result.kind === "experiment");
    const active = services.activeNotebook.file;
    stored =
      runs.find((run) => active && path.resolve(run.result.notebook) === path.resolve(active)) ?? runs[0];
  }
  if (!stored) {
    throw new ParityError("NoExperiments", "There is no experiment in this workspace yet.", {
      fix: "Write a Katib Experiment next to a notebook as <notebook>.experiment.yaml, then use Parity: Tune.",
    });
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const ref = runRefOfDir(stored.dir, folders);
  if (!ref) {
    throw new ParityError(
      "RunFolderUnexpected",
      `The record in ${stored.dir} is not a run folder of this workspace (<folder>/.parity/runs/<run id>).`,
      { fix: "Open the folder that holds the experiment as a workspace folder." },
    );
  }
  (await import("../../panels")).showTuningPanel(services.context, ref);
}
