import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { ParityItem } from "../../core/parity";
import type { Services } from "../../services/container";
import { computeReport } from "../../services/computeReport";
import { reportFailure } from "../support/boundary";

interface IssueArg {
  notebookFile?: string;
  item?: ParityItem;
}

/** Parity: Apply Fix — an Environment row's fix as one undoable edit, then the report again in its panel. */
export async function applyFix(services: Services, arg?: unknown): Promise<void> {
  const { notebookFile, item } = (arg ?? {}) as IssueArg;
  if (!notebookFile || !item?.edit) {
    throw new ParityError("NoApplicableFix", "This item has no fix Parity can apply by itself.", {
      fix: item?.fix ?? "Pick a mismatch with a fix in the Environment view.",
    });
  }
  const panels = await services.panels();
  const profileFile = services.reports.get(notebookFile).data?.profileFile;
  const refusal = await panels.applyParityEdit(item.edit, panels.reportBaseDirs(notebookFile, profileFile));
  if (refusal) {
    void vscode.window.showWarningMessage(refusal);
    return;
  }
  services.log(`Applied: ${item.edit.title} (undo with Edit > Undo in ${item.edit.file}).`);
  // The report again, in its panel, so the fix is seen to take effect.
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Parity: checking again" },
    () =>
      computeReport(services, notebookFile, new AbortController().signal).then(
        (data) => panels.showReportPanel(services.context, data),
        (error: unknown) => reportFailure(services, "parity.applyFix", error),
      ),
  );
}
