import * as vscode from "vscode";
import { registerCommands } from "./commands/registerCommands";
import { computeReport } from "./services/computeReport";
import { ReportFreshness } from "./services/reportFreshness";
import { recoverAbandonedRuns } from "./services/runRecords";
import { trackClusterAvailability } from "./services/clusterSettings";
import { Services } from "./services/container";
import { registerClusterStatusBar } from "./statusBar/clusterStatusBar";
import { registerStatusBar } from "./statusBar/statusBar";
import { registerViews } from "./views/registerViews";

let current: Services | undefined;

/** After start-up's own work: recovering abandoned records is not urgent, and may load dist/app.js. */
const RECOVERY_DELAY_MS = 3000;

// activate() stays cheap: the application layer (Docker, Kubernetes, the interpreter probe, the
// profile parser) is dist/app.js, loaded by the first command or visible view that needs it.
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
  // A report follows the files it was made from and the notebook's runs: it is never left stale.
  services.track(new ReportFreshness(services));
  // Records left "running" by a process that went away are made true soon after start-up, Runs view
  // open or not; only the record files are read when there is none.
  const startup = setTimeout(() => void recoverAbandonedRuns(services), RECOVERY_DELAY_MS);
  services.track({ dispose: () => clearTimeout(startup) });
  // Serializers must be registered before activation ends, or panels are not restored after a reload.
  (await import("./panels")).registerPanels(context, {
    computeReport: (notebookFile, signal) => computeReport(services, notebookFile, signal),
    readPipeline: async (file, signal) =>
      (await services.app()).checkPipelineFile(services.sessionContext(file, signal), file),
    sendRequests: async (...request) => (await services.app()).sendRequests(...request),
    // With the cluster commands (dist/clusterCommands.js), loaded the first time a canary changes.
    changeCanary: async (run, change) =>
      (await import("./commands/cluster")).changeCanary(services, run, change),
    log: (message) => services.log(message),
  });
}

/** Runs started from this window do not outlive it: their containers are stopped. */
export async function deactivate(): Promise<void> {
  await current?.activeRuns.cancelAll();
  current = undefined;
}
