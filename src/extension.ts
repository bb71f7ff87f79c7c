import * as vscode from "vscode";
import { registerCommands } from "./commands/registerCommands";
import { computeReport } from "./services/computeReport";
import { trackClusterAvailability } from "./services/clusterSettings";
import { Services } from "./services/container";
import { registerClusterStatusBar } from "./statusBar/clusterStatusBar";
import { registerStatusBar } from "./statusBar/statusBar";
import { registerViews } from "./views/registerViews";

let current: Services | undefined;

// activate() stays cheap: Docker, the interpreter probe and the profile parser live in
// dist/services.js, loaded by the first command or visible view that needs them.
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const services = new Services(context);
  current = services;
  context.subscriptions.push(services);
  const views = registerViews(services);
  registerCommands(services, views).forEach((command) => services.track(command));
  services.track(registerStatusBar(services));
  services.track(registerClusterStatusBar(services));
  services.track(trackClusterAvailability());
  // Reports made in Restricted Mode compared the requirements only: check again once trusted.
  services.track(vscode.workspace.onDidGrantWorkspaceTrust(() => services.reports.clear()));
  // Serializers must be registered before activation ends, or panels are not restored after a reload.
  (await services.panels()).registerPanels(context, {
    computeReport: (notebookFile, signal) => computeReport(services, notebookFile, signal),
    log: (message) => services.log(message),
  });
}

/** Runs started from this window do not outlive it: their containers are stopped. */
export async function deactivate(): Promise<void> {
  await current?.activeRuns.cancelAll();
  current = undefined;
}
