import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { HostMessenger, READY, type Handlers, type MessageMap, type Validators } from "../protocol/messaging";
import { ReadyWatchdog } from "./readyWatchdog";

export type WebviewEntry = "report" | "logs" | "diagnosis" | "pipeline" | "tuning" | "endpoint";

/** Scripts and styles come only from the built webview folder. */
export function webviewRoot(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.extensionUri, "dist", "webview");
}

export function webviewOptions(
  context: vscode.ExtensionContext,
): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  // Retained while hidden: shown again, the page is there at once (14-41 ms from the tab press in
  // code-server, against 1.1-1.3 s for a page made anew, nearly all of it VS Code making the
  // frame). The cost is memory: a hidden page lives on, e.g. ~70 MB for the logs of a 200,000-line
  // run (its lines; the DOM only of the rows in view). After a window reload the page loads fresh
  // and draws the view it saved (webview-ui/src/lib/host.ts) at once.
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [webviewRoot(context)] };
}

/**
 * The page of a panel: a strict CSP (nothing but our script, by nonce, and styles and fonts from
 * the extension), the restore state and the first view state in data attributes.
 */
export function renderHtml(
  webview: vscode.Webview,
  context: vscode.ExtensionContext,
  entry: WebviewEntry,
  title: string,
  data: { restore: unknown; state?: unknown },
): string {
  const nonce = randomBytes(16).toString("base64");
  const root = webviewRoot(context);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${entry}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${entry}.css`));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body data-restore="${escapeHtml(JSON.stringify(data.restore))}" data-state="${escapeHtml(JSON.stringify(data.state ?? null))}">
<main id="app"></main>
<script type="module" nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A webview panel with a typed messenger. Subclasses send their state after `ready`, which the
 * webview says on every load: the first, and after a window reload. A hidden panel's page is
 * retained and keeps receiving its updates, so it is up to date when shown; only a panel restored
 * from a session before retention (its options are VS Code's saved ones) has its page dropped
 * while hidden, and says `ready` again when shown.
 */
export abstract class BasePanel<ToWebview extends MessageMap, FromWebview extends MessageMap>
  implements vscode.Disposable
{
  protected readonly messenger: HostMessenger<ToWebview, FromWebview>;
  protected readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeListeners: Array<() => void> = [];
  private page?: { restore: unknown; state?: unknown };
  private readonly watchdog = new ReadyWatchdog((attempt, waitedMs) => {
    this.log(
      `${this.entry} panel "${this.panel.title}": its page did not answer within ${waitedMs / 1000} s; loading it again (attempt ${attempt}).`,
    );
    this.setPage();
  });

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly context: vscode.ExtensionContext,
    private readonly entry: WebviewEntry,
    validators: Validators<FromWebview>,
    protected readonly log: (message: string) => void,
  ) {
    const handlers = this.handlers();
    this.messenger = new HostMessenger<ToWebview, FromWebview>(
      (message) => panel.webview.postMessage(message),
      validators,
      {
        ...handlers,
        [READY]: (payload: never) => {
          this.watchdog.ready();
          this.onReady();
          (handlers[READY] as ((payload: never) => void) | undefined)?.(payload);
        },
      } as Handlers<FromWebview>,
      (raw) =>
        this.log(
          `${entry} panel: ignored a malformed message from its webview: ${JSON.stringify(raw)?.slice(0, 200)}`,
        ),
    );
    panel.webview.options = webviewOptions(context);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.messenger.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) {
          if (!this.messenger.isReady) this.watchdog.shown();
          return;
        }
        this.watchdog.hidden();
        if (panel.options.retainContextWhenHidden) return;
        this.messenger.unready();
        this.onHidden();
      }),
      this.watchdog,
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Loads the page; the webview answers with `ready`. */
  protected load(restore: unknown, state?: unknown): void {
    this.page = { restore, state };
    this.setPage();
  }

  /** Sets the page (a new nonce each time, so VS Code loads it again) and waits for `ready`. */
  private setPage(): void {
    if (this.disposed || !this.page) return;
    this.messenger.unready();
    this.panel.webview.html = renderHtml(
      this.panel.webview,
      this.context,
      this.entry,
      this.panel.title,
      this.page,
    );
    this.watchdog.loaded(this.panel.visible);
  }

  protected abstract handlers(): Partial<Handlers<FromWebview>> & Omit<Handlers<FromWebview>, typeof READY>;

  /** The webview (re)loaded and listens: send it everything it shows. */
  protected abstract onReady(): void;

  /** The webview was dropped (not retained); stop producing messages for it until it is ready again. */
  protected onHidden(): void {}

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.messenger.unready();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}
