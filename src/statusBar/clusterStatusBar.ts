import * as vscode from "vscode";
import type { Services } from "../services/container";
import { healthAges } from "../core/cluster/snapshot";
import { clusterStatusText } from "./clusterStatusText";

/** How often a stale or lost connection's age is redrawn: only the text ticks, nothing is asked of the cluster. */
const STALE_TICK_MS = 5_000;

/** The cluster target's health beside Parity's item, while a cluster run is active or the Cluster view is visible. */
export function registerClusterStatusBar(services: Services): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("parity.cluster", vscode.StatusBarAlignment.Left, 49);
  item.name = "Parity Cluster";
  item.command = "parity.cluster.focus";
  let ticker: ReturnType<typeof setInterval> | undefined;
  const status = services.clusterStatus;
  const update = (): void => {
    if (!status.shown) {
      item.hide();
    } else {
      const text = clusterStatusText(status.state, Date.now());
      item.text = text.text;
      item.tooltip = text.tooltip;
      item.accessibilityInformation = { label: text.tooltip, role: "button" };
      item.show();
    }
    const ticking = status.shown && healthAges(status.state.health);
    if (ticking && !ticker) ticker = setInterval(update, STALE_TICK_MS);
    if (!ticking && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  update();
  return vscode.Disposable.from(item, status.onDidChange(update), { dispose: () => clearInterval(ticker) });
}
