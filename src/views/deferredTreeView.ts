import * as vscode from "vscode";
import { logStartFailure } from "../startFailure";

/** The views registered at activation, each waiting for its data from the host (src/host.ts). */
export interface ViewSlots {
  /**
   * Gives a view its data provider, which answers the rows asked for while the host was loading and
   * all after. Returns the view, to follow its visibility.
   */
  provide<T>(id: string, provider: vscode.TreeDataProvider<T>): vscode.TreeView<T>;
}

/**
 * A view of package.json registered at activation (a view must be registered by then) without its
 * code: asked for its rows, it loads the host (dist/host.js), which provides the real data
 * provider, and from then on forwards to it. A host that fails to load leaves the view empty with
 * the sentence that says so; the next time rows are asked for, it is loaded again.
 */
export class DeferredTreeView implements vscode.TreeDataProvider<unknown>, vscode.Disposable {
  readonly view: vscode.TreeView<unknown>;
  private readonly changed = new vscode.EventEmitter<unknown>();
  readonly onDidChangeTreeData = this.changed.event;
  protected provider?: vscode.TreeDataProvider<unknown>;
  private forwarding?: vscode.Disposable;
  /** Whether the view's message is the failed start's, to take away once the host is there. */
  private showsFailure = false;

  constructor(
    private readonly id: string,
    private readonly loadHost: () => Promise<unknown>,
  ) {
    this.view = vscode.window.createTreeView(id, { treeDataProvider: this });
  }

  provide(provider: vscode.TreeDataProvider<unknown>): void {
    this.forwarding?.dispose();
    this.provider = provider;
    this.forwarding = provider.onDidChangeTreeData?.((change) => this.changed.fire(change));
  }

  async getChildren(element?: unknown): Promise<unknown[] | null | undefined> {
    let provider: vscode.TreeDataProvider<unknown>;
    try {
      // Loaded already, this is the settled promise: a failed start provided nothing to use.
      await this.loadHost();
      if (!this.provider) throw new Error(`its host did not provide the view ${this.id}`);
      provider = this.provider;
    } catch (error) {
      this.view.message = logStartFailure(error);
      this.showsFailure = true;
      return [];
    }
    if (this.showsFailure) {
      this.view.message = undefined;
      this.showsFailure = false;
    }
    return provider.getChildren(element);
  }

  /** Only ever asked about rows the provider gave. */
  getTreeItem(element: unknown): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.provider!.getTreeItem(element);
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
    this.view.dispose();
  }
}

/**
 * A view whose provider fills in a row when it is hovered (the Runs view's tooltips, with their
 * ages). Only such a view defines resolveTreeItem: VS Code asks every view that has it on hover.
 */
export class ResolvingDeferredTreeView extends DeferredTreeView {
  resolveTreeItem(
    item: vscode.TreeItem,
    element: unknown,
    token: vscode.CancellationToken,
  ): vscode.ProviderResult<vscode.TreeItem> {
    return this.provider?.resolveTreeItem ? this.provider.resolveTreeItem(item, element, token) : item;
  }
}
