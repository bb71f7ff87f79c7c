import * as vscode from "vscode";

/** A row as the views' vscode-free models describe it. */
export interface PresentedRow {
  label: string;
  description?: string;
  tooltip: string;
  contextValue: string;
  /** A codicon id and its theme colour. */
  icon: { id: string; color?: string };
}

export function presentedTreeItem(
  row: PresentedRow,
  state: vscode.TreeItemCollapsibleState,
): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, state);
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.contextValue = row.contextValue;
  item.iconPath = new vscode.ThemeIcon(
    row.icon.id,
    row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
  );
  return item;
}
