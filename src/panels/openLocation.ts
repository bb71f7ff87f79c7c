import path from "node:path";
import * as vscode from "vscode";

export interface OpenTarget {
  file: string;
  /** 1-based notebook cell, as the editor shows cells. */
  cell?: number;
  cellId?: string;
  /** 1-based line in the cell (or the file). */
  line?: number;
}

/** Opens a notebook at a cell and line, or a file at a line. Relative files are taken from `baseDir`. */
export async function openLocation(target: OpenTarget, baseDir: string): Promise<void> {
  const uri = vscode.Uri.file(path.resolve(baseDir, target.file));
  const line = Math.max((target.line ?? 1) - 1, 0);
  const selection = new vscode.Range(line, 0, line, 0);
  // The file's own tab, where it has one; else the first group, not the panel's beside it.
  const viewColumn = columnShowing(uri) ?? vscode.ViewColumn.One;
  if (!/\.ipynb$/i.test(target.file)) {
    await vscode.window.showTextDocument(uri, { selection, viewColumn, preview: false });
    return;
  }
  const notebook = await vscode.workspace.openNotebookDocument(uri);
  const index = cellIndex(notebook, target);
  if (index === undefined) {
    await vscode.window.showNotebookDocument(notebook, { viewColumn, preview: false });
    return;
  }
  const cells = new vscode.NotebookRange(index, index + 1);
  const editor = await vscode.window.showNotebookDocument(notebook, {
    selections: [cells],
    viewColumn,
    preview: false,
  });
  editor.revealRange(cells, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  try {
    // Puts the cursor on the line inside the cell's editor.
    await vscode.window.showTextDocument(notebook.cellAt(index).document, {
      selection,
      viewColumn: editor.viewColumn,
      preview: false,
    });
  } catch {
    // The cell is selected and revealed; the line is a convenience.
  }
}

function columnShowing(uri: vscode.Uri): vscode.ViewColumn | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      const tabUri =
        input instanceof vscode.TabInputNotebook || input instanceof vscode.TabInputText
          ? input.uri
          : undefined;
      if (tabUri?.toString() === uri.toString()) return group.viewColumn;
    }
  }
  return undefined;
}

function cellIndex(notebook: vscode.NotebookDocument, target: OpenTarget): number | undefined {
  if (target.cellId) {
    const byId = notebook.getCells().findIndex((cell) => cell.metadata?.id === target.cellId);
    if (byId >= 0) return byId;
  }
  if (target.cell === undefined) return undefined;
  const index = target.cell - 1;
  return index >= 0 && index < notebook.cellCount ? index : undefined;
}
