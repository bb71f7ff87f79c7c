import * as vscode from "vscode";
import { ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { computeReport } from "../../services/computeReport";
import { fixRequestOf, storedFix } from "../../services/fixLookup";
import { withCancellableProgress } from "../support/progress";
import { fileName } from "../support/targets";

/**
 * Parity: Apply Fix — an Environment row's fix as one undoable edit, then the report again in its
 * panel. The argument only names the notebook and the item; the edit is the one of the report this
 * window made, so a link or another extension cannot make Parity write something else.
 */
export async function applyFix(services: Services, arg?: unknown): Promise<void> {
  const request = fixRequestOf(arg);
  const stored = request ? services.reports.get(request.notebookFile).data : undefined;
  const item = request && stored ? storedFix(stored.report.items, request) : undefined;
  if (!request || !stored || !item?.edit) {
    throw new ParityError("NoApplicableFix", "Parity has no fix it can apply for this item.", {
      fix: stored
        ? "The report may have changed: check parity again, then use Apply Fix on a row of the Environment view."
        : "Check parity of the notebook first, then use Apply Fix on a row of the Environment view.",
    });
  }
  const { notebookFile } = request;
  const panels = await import("../../panels");
  const refusal = await panels.applyParityEdit(item.edit, { notebookFile, profileFile: stored.profileFile });
  if (refusal) {
    void vscode.window.showWarningMessage(refusal);
    return;
  }
  services.log(`Applied: ${item.edit.title} (undo with Edit > Undo in ${item.edit.file}).`);
  // The report again, in its panel, so the fix is seen to take effect; Cancel stops the check.
  const data = await withCancellableProgress(
    services,
    `Parity: checking ${fileName(notebookFile)} again`,
    ({ signal, print }) => computeReport(services, notebookFile, signal, print),
  );
  panels.showReportPanel(services.context, data);
}
