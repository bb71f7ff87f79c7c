import path from "node:path";
import * as vscode from "vscode";
import { applyParameterValues } from "../../core/notebook/applyParameters";
import type { BestTrial } from "../../core/tuning/record";
import type { ApplyOutcome } from "../../protocol/tuning";
import { editRefusal } from "../../services/editScope";
import { workspaceFolders } from "../applyFix";

/** The tags of a notebook cell, where the Jupyter notebook serializer keeps them. */
export function cellTags(metadata: Record<string, unknown> | undefined): string[] {
  const inner = (metadata?.metadata ??
    (metadata?.custom as Record<string, unknown> | undefined)?.metadata) as { tags?: unknown } | undefined;
  const tags = inner?.tags ?? metadata?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}

/**
 * Writes the best trial's values into the notebook's parameters cell as one undoable edit, saves
 * the notebook and shows the cell. Only a notebook inside the workspace folders is changed (the
 * record names it, and a record is not trusted to point anywhere).
 */
export async function applyBestParameters(notebookFile: string, best: BestTrial): Promise<ApplyOutcome> {
  const name = path.basename(notebookFile);
  const refusal = await editRefusal(notebookFile, workspaceFolders());
  if (refusal) return { ok: false, message: refusal };
  let notebook: vscode.NotebookDocument;
  try {
    notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebookFile));
  } catch (error) {
    return {
      ok: false,
      message: `Parity could not open ${name} (${error instanceof Error ? error.message : String(error)}). Check that it is still there, then apply the values again.`,
    };
  }
  const cell = notebook.getCells().find((each) => {
    return each.kind === vscode.NotebookCellKind.Code && cellTags(each.metadata).includes("parameters");
  });
  if (!cell) {
    return {
      ok: false,
      message: `${name} has no cell tagged parameters, so there is nowhere to write the values. Tag the cell that sets the defaults with the tag parameters, then apply them again.`,
    };
  }
  const text = cell.document.getText();
  const applied = applyParameterValues(text, best.parameters);
  const left = [
    ...(applied.missing.length > 0
      ? [
          `${applied.missing.join(", ")} ${applied.missing.length === 1 ? "is" : "are"} not assigned in the cell`,
        ]
      : []),
    ...(applied.skipped.length > 0
      ? [
          `${applied.skipped.join(", ")} share${applied.skipped.length === 1 ? "s" : ""} a line with another statement`,
        ]
      : []),
  ];
  const leftText = left.length > 0 ? ` Not written: ${left.join("; ")}.` : "";
  if (applied.changed.length === 0) {
    return {
      ok: applied.unchanged.length > 0,
      message:
        applied.unchanged.length > 0
          ? `${name}'s parameters cell already has the values of ${best.trial}.${leftText}`
          : `Nothing was written to ${name}'s parameters cell.${leftText}`,
    };
  }
  const edit = new vscode.WorkspaceEdit();
  const end = cell.document.lineAt(cell.document.lineCount - 1).range.end;
  edit.replace(cell.document.uri, new vscode.Range(0, 0, end.line, end.character), applied.source);
  if (!(await vscode.workspace.applyEdit(edit))) {
    return {
      ok: false,
      message: `The editor refused the change to ${name}. Make sure it is writable, then apply the values again.`,
    };
  }
  const saved = await notebook.save();
  const range = new vscode.NotebookRange(cell.index, cell.index + 1);
  const shown = vscode.window.visibleNotebookEditors.find((editor) => editor.notebook === notebook);
  await vscode.window.showNotebookDocument(notebook, {
    ...(shown?.viewColumn ? { viewColumn: shown.viewColumn } : {}),
    selections: [range],
  });
  const values = applied.changed
    .map((parameter) => `${parameter} = ${best.parameters.find((each) => each.name === parameter)?.value}`)
    .join(", ");
  return {
    ok: true,
    message: `Wrote ${best.trial}'s values into ${name}'s parameters cell: ${values}.${leftText}${saved ? "" : " The notebook is not saved yet."} Undo (Ctrl+Z in the notebook) takes them back.`,
  };
}
