import * as vscode from "vscode";
import { reportFailure } from "./commands/support/boundary";
import type { RunCommand } from "./commands/registerCommands";
import type { RegisterSerializer } from "./panels";
import { computeReport } from "./services/computeReport";
import { Services } from "./services/container";
import { ReportFreshness } from "./services/reportFreshness";
import { recoverAbandonedRuns } from "./services/runRecords";
import { trackClusterAvailability } from "./services/clusterSettings";
import { registerClusterStatusBar } from "./statusBar/clusterStatusBar";
import { loadOnce } from "./startFailure";
import { registerStatusBar } from "./statusBar/statusBar";
import type { ViewSlots } from "./views/deferredTreeView";
import { registerViews } from "./views/registerViews";

/** What the stubs registered at activation (src/extension.ts) ask of the host. */
export interface Host {
  runCommand(id: string, args: unknown[]): Promise<void>;
  restorePanel(viewType: string, panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  /** Runs started from this window do not outlive it: their containers are stopped. */
  deactivate(): Promise<void>;
}

/** After start-up's own work: recovering abandoned records is not urgent, and may load dist/app.js. */
const RECOVERY_DELAY_MS = 3000;

/**
 * The extension's host (dist/host.js): the services, the views' data and the status bar, started on
 * first use: the first view asking for rows, command or panel to restore. The commands
 * (dist/commands.js) and the panels (dist/panels.js) load with the first command, the panels also
 * with the first panel to restore.
 */
export function startHost(context: vscode.ExtensionContext, views: ViewSlots): Host {
  const services = new Services(context);
  try {
    const host = startServices(context, services, views);
    context.subscriptions.push(services);
    return host;
  } catch (error) {
    // What started is stopped (listeners, timers, status bar items): the next use starts afresh.
    services.dispose();
    throw error;
  }
}

function startServices(context: vscode.ExtensionContext, services: Services, views: ViewSlots): Host {
  const shown = registerViews(services, views);
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

  const serializers = new Map<string, vscode.WebviewPanelSerializer>();
  const register: RegisterSerializer = (viewType, serializer) => {
    serializers.set(viewType, serializer);
    return { dispose: () => serializers.delete(viewType) };
  };
  // Commands open panels through dist/panels.js, whose registry of open panels needs registering
  // first. A bundle that failed to load is loaded again by the next command.
  const loadPanels = loadOnce(async () =>
    (await import("./panels")).registerPanels(
      context,
      {
        computeReport: (notebookFile, signal) => computeReport(services, notebookFile, signal),
        readPipeline: async (file, signal) =>
          (await services.app()).checkPipelineFile(services.sessionContext(file, signal), file),
        sendRequests: async (...request) => (await services.app()).sendRequests(...request),
        // With the cluster commands (dist/clusterCommands.js), loaded the first time a canary changes.
        changeCanary: async (run, change) =>
          (await import("./commands/cluster")).changeCanary(services, run, change),
        log: (message) => services.log(message),
      },
      register,
    ),
  );
  const loadCommands = loadOnce(async (): Promise<RunCommand> =>
    (await import("./commands/registerCommands")).registerCommands(services, shown),
  );

  return {
    runCommand: async (id, args) => {
      let run: RunCommand;
      try {
        [run] = await Promise.all([loadCommands(), loadPanels()]);
      } catch (error) {
        return reportFailure(services, id, error);
      }
      // Each command runs in the error boundary (src/commands/support/boundary.ts).
      await run(id, args);
    },
    restorePanel: async (viewType, panel, state) => {
      try {
        await loadPanels();
        const serializer = serializers.get(viewType);
        if (!serializer) throw new Error(`Parity's panels have no serializer for ${viewType}.`);
        await serializer.deserializeWebviewPanel(panel, state);
      } catch (error) {
        // Left open, the panel would stay blank: the command that opened it opens it again.
        services.log(`Could not restore the ${viewType} panel "${panel.title}"; closed it.`);
        panel.dispose();
        reportFailure(services, `Restoring the ${viewType} panel`, error);
      }
    },
    deactivate: () => services.activeRuns.cancelAll(),
  };
}
