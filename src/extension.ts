import * as vscode from "vscode";
import type { Host } from "./host";
import { loadOnce, showStartFailure } from "./startFailure";
import { DeferredTreeView, ResolvingDeferredTreeView, type ViewSlots } from "./views/deferredTreeView";

/** What activation reads of package.json: the commands, views and panels it registers stubs for. */
interface Manifest {
  activationEvents: string[];
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
}

const PANEL_EVENT = "onWebviewPanel:";

/** The views whose providers fill in a row when it is hovered (resolveTreeItem). */
const RESOLVING_VIEWS = new Set(["parity.runs"]);

/** The host once started: deactivate() stops its runs, and does not start one to do so. */
let loaded: Host | undefined;

// activate() loads dist/extension.js only and registers, with nothing behind them yet, what VS Code
// needs registered by the time activation ends: every command, view and panel serializer of
// package.json. The host (dist/host.js: the services, the views' data, the commands, the status
// bar) loads on first use: a view asking for its rows, a command, a panel to restore.
export function activate(context: vscode.ExtensionContext): void {
  const manifest = context.extension.packageJSON as Manifest;
  // A host that failed to start is not kept: the next view, command or panel tries again.
  const loadHost = loadOnce(async (): Promise<Host> => {
    const { startHost } = await import("./host");
    return (loaded = startHost(context, slots));
  });

  const views = new Map(
    Object.values(manifest.contributes.views)
      .flat()
      .map(({ id }) => {
        const View = RESOLVING_VIEWS.has(id) ? ResolvingDeferredTreeView : DeferredTreeView;
        return [id, new View(id, loadHost)];
      }),
  );
  const slots: ViewSlots = {
    provide: <T>(id: string, provider: vscode.TreeDataProvider<T>) => {
      const view = views.get(id);
      if (!view) throw new Error(`package.json declares no view ${id}.`);
      view.provide(provider as vscode.TreeDataProvider<unknown>);
      return view.view as vscode.TreeView<T>;
    },
  };
  context.subscriptions.push(...views.values());

  for (const { command } of manifest.contributes.commands) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        let started: Host;
        try {
          started = await loadHost();
        } catch (error) {
          return showStartFailure(error);
        }
        // From here on the host's error boundary reports what fails.
        await started.runCommand(command, args);
      }),
    );
  }

  // Serializers must be registered before activation ends, or panels are not restored after a reload.
  for (const event of manifest.activationEvents.filter((each) => each.startsWith(PANEL_EVENT))) {
    const viewType = event.slice(PANEL_EVENT.length);
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          let started: Host;
          try {
            started = await loadHost();
          } catch (error) {
            // Left open, the panel would stay blank: the next command opens it again.
            panel.dispose();
            return showStartFailure(error);
          }
          await started.restorePanel(viewType, panel, state);
        },
      }),
    );
  }
}

/** Runs started from this window do not outlive it: their containers are stopped. */
export async function deactivate(): Promise<void> {
  await loaded?.deactivate();
  loaded = undefined;
}
