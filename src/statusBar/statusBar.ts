import path from "node:path";
import * as vscode from "vscode";
import type { Services } from "../services/container";
import type { StoredParity } from "../services/reportStore";
import { activeTarget } from "./clusterStatusText";
import { statusText, type NotebookParity } from "./statusText";

/** The target (a cluster while a cluster run of this window is active) and the active notebook's parity; a click opens the report. */
export function registerStatusBar(services: Services): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("parity.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Parity";
  item.command = "parity.openReport";
  const update = (): void => {
    const file = services.activeNotebook.file;
    const state: NotebookParity = file ? asStatus(services.reports.get(file)) : { kind: "none" };
    const text = statusText(activeTarget(services.clusterStatus.state), state, file && path.basename(file));
    item.text = text.text;
    item.tooltip = text.tooltip;
    item.accessibilityInformation = { label: text.tooltip, role: "button" };
    item.show();
  };
  update();
  return vscode.Disposable.from(
    item,
    services.activeNotebook.onDidChange(update),
    services.reports.onDidChange(update),
    services.clusterStatus.onDidChange(update),
  );
}

function asStatus(stored: StoredParity): NotebookParity {
  return stored.kind === "checked" ? { kind: "checked", report: stored.report } : { kind: stored.kind };
}
