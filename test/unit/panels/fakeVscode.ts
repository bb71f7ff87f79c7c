import path from "node:path";
import { vi } from "vitest";

/** Just enough of the vscode API for the panel hosts, recording what they do. */

type Listener<T> = (value: T) => void;

function emitter<T>() {
  const listeners: Array<Listener<T>> = [];
  return {
    event: (listener: Listener<T>) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
    fire: (value: T) => [...listeners].forEach((listener) => listener(value)),
  };
}

export class Uri {
  readonly scheme = "file";
  private constructor(readonly fsPath: string) {}
  static file(file: string): Uri {
    return new Uri(path.resolve(file));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export class WorkspaceEdit {
  readonly operations: Array<{ kind: string; uri: Uri; range?: Range; position?: Position; text?: string }> =
    [];
  replace(uri: Uri, range: Range, text: string): void {
    this.operations.push({ kind: "replace", uri, range, text });
  }
  insert(uri: Uri, position: Position, text: string): void {
    this.operations.push({ kind: "insert", uri, position, text });
  }
  createFile(uri: Uri): void {
    this.operations.push({ kind: "createFile", uri });
  }
}

export class NotebookRange {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

export const ViewColumn = { Active: -1, Beside: -2, One: 1, Two: 2 };

export class TabInputText {
  constructor(readonly uri: Uri) {}
}

export class TabInputNotebook {
  constructor(
    readonly uri: Uri,
    readonly notebookType = "jupyter-notebook",
  ) {}
}
/** A webview panel's tab; VS Code 1.100 prefixes its view type ("mainThreadWebview-parity.logs"). */
export class TabInputWebview {
  constructor(readonly viewType: string) {}
}

export const NotebookEditorRevealType = { InCenterIfOutsideViewport: 2 };

export interface FakePanel {
  viewType: string;
  title: string;
  visible: boolean;
  options: PanelOptions;
  posted: Array<{ type: string; payload: unknown }>;
  webview: {
    html: string;
    options: unknown;
    cspSource: string;
    asWebviewUri(uri: Uri): Uri;
    postMessage(message: unknown): Promise<boolean>;
    onDidReceiveMessage: (listener: Listener<unknown>) => { dispose(): void };
  };
  /** The webview sends a message to the host. */
  receive(message: unknown): void;
  /** The tab is hidden (its webview dropped unless retained) or shown again. */
  setVisible(visible: boolean): void;
  onDidChangeViewState: (listener: Listener<unknown>) => { dispose(): void };
  onDidDispose: (listener: Listener<void>) => { dispose(): void };
  reveal: ReturnType<typeof vi.fn>;
  dispose(): void;
  disposed: boolean;
}

/** A panel's options as VS Code keeps them: a restored panel has those it was made with. */
export interface PanelOptions {
  retainContextWhenHidden?: boolean;
}

export function fakePanel(viewType: string, title: string, options: PanelOptions = {}): FakePanel {
  const messages = emitter<unknown>();
  const viewState = emitter<unknown>();
  const disposed = emitter<void>();
  const panel: FakePanel = {
    viewType,
    title,
    visible: true,
    options: { retainContextWhenHidden: options.retainContextWhenHidden },
    posted: [],
    webview: {
      html: "",
      options: undefined,
      cspSource: "https://webview.test",
      asWebviewUri: (uri) => uri,
      postMessage: async (message) => {
        panel.posted.push(message as { type: string; payload: unknown });
        return true;
      },
      onDidReceiveMessage: messages.event,
    },
    receive: (message) => messages.fire(message),
    setVisible: (visible) => {
      panel.visible = visible;
      viewState.fire({ webviewPanel: panel });
    },
    onDidChangeViewState: viewState.event,
    onDidDispose: disposed.event,
    reveal: vi.fn(),
    disposed: false,
    dispose: () => {
      if (panel.disposed) return;
      panel.disposed = true;
      disposed.fire();
    },
  };
  return panel;
}

export interface FakeDocument {
  text: string;
  getText(): string;
  save: ReturnType<typeof vi.fn>;
}

export const state = {
  panels: [] as FakePanel[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>(),
  documents: new Map<string, FakeDocument>(),
  edits: [] as WorkspaceEdit[],
  clipboard: "",
  shown: [] as Array<{ kind: string; target: unknown; options: unknown }>,
  saveTarget: undefined as Uri | undefined,
  written: new Map<string, string>(),
  errors: [] as string[],
  /** What the extension keeps in context.workspaceState (it outlives a window reload). */
  workspaceState: new Map<string, unknown>(),
  /** The tree views created, by id, with the message each shows. */
  treeViews: new Map<string, { treeDataProvider: unknown; message: string | undefined }>(),
  /** The lines written to the output channel. */
  output: [] as string[],
  /** The commands registered, by id. */
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  /** The editor groups and their tabs, as window.tabGroups.all gives them. */
  tabGroups: [] as Array<{
    viewColumn: number;
    isActive?: boolean;
    activeTab?: { input: unknown };
    tabs: Array<{ input: unknown }>;
  }>,
};

export function reset(): void {
  state.panels = [];
  state.serializers.clear();
  state.documents.clear();
  state.edits = [];
  state.clipboard = "";
  state.shown = [];
  state.saveTarget = undefined;
  state.written.clear();
  state.errors = [];
  state.workspaceState.clear();
  state.tabGroups = [];
  state.treeViews.clear();
  state.commands.clear();
  state.output = [];
  workspace.workspaceFolders = undefined;
  workspace.isTrusted = true;
}

/**
 * Keeps a panel serializer where a test finds it: what registerPanels's caller does (in the
 * extension, the host hands it to the serializer registered at activation).
 */
export function collectSerializer(viewType: string, serializer: object): { dispose(): void } {
  state.serializers.set(viewType, serializer as never);
  return { dispose: () => state.serializers.delete(viewType) };
}

export const window = {
  tabGroups: {
    get all() {
      return state.tabGroups;
    },
  },
  createWebviewPanel: vi.fn((viewType: string, title: string, _column: unknown, options: PanelOptions) => {
    const panel = fakePanel(viewType, title, options);
    state.panels.push(panel);
    return panel;
  }),
  registerWebviewPanelSerializer: (viewType: string, serializer: never) =>
    collectSerializer(viewType, serializer),
  createTreeView: (id: string, options: { treeDataProvider: unknown }) => {
    const view = {
      treeDataProvider: options.treeDataProvider,
      message: undefined as string | undefined,
      dispose: () => void state.treeViews.delete(id),
    };
    state.treeViews.set(id, view);
    return view;
  },
  showErrorMessage: async (message: string) => void state.errors.push(message),
  createOutputChannel: () => ({
    appendLine: (line: string) => void state.output.push(line),
    show: () => undefined,
    dispose: () => undefined,
  }),
  setStatusBarMessage: vi.fn(() => ({ dispose: () => undefined })),
  showSaveDialog: async () => state.saveTarget,
  showTextDocument: async (target: unknown, options: unknown) =>
    void state.shown.push({ kind: "text", target, options }),
  showNotebookDocument: async (target: unknown, options: unknown) => {
    state.shown.push({ kind: "notebook", target, options });
    return { viewColumn: 1, revealRange: vi.fn() };
  },
};

export const workspace = {
  workspaceFolders: undefined as Array<{ uri: Uri }> | undefined,
  isTrusted: true,
  onDidGrantWorkspaceTrust: () => ({ dispose: () => undefined }),
  openTextDocument: async (uri: Uri) => {
    const document = state.documents.get(uri.fsPath);
    if (!document) throw new Error(`cannot open ${uri.fsPath}`);
    return document;
  },
  openNotebookDocument: async (uri: Uri) => ({
    uri,
    cellCount: 3,
    getCells: () => [0, 1, 2].map((index) => ({ metadata: { id: `cell-${index}` } })),
    cellAt: (index: number) => ({ document: { uri: `${uri.fsPath}#cell${index}` } }),
  }),
  applyEdit: async (edit: WorkspaceEdit) => {
    state.edits.push(edit);
    for (const operation of edit.operations) {
      const document = state.documents.get(operation.uri.fsPath);
      if (!document || operation.kind !== "replace" || !operation.range) continue;
      const lines = document.text.split("\n");
      const line = lines[operation.range.start.line]!;
      lines[operation.range.start.line] =
        line.slice(0, operation.range.start.character) +
        operation.text +
        line.slice(operation.range.end.character);
      document.text = lines.join("\n");
    }
    return true;
  },
  fs: {
    stat: async (uri: Uri) => {
      if (!state.documents.has(uri.fsPath)) throw new Error("not found");
      return {};
    },
    writeFile: async (uri: Uri, content: Uint8Array) =>
      void state.written.set(uri.fsPath, Buffer.from(content).toString()),
  },
};

export const commands = {
  registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
    state.commands.set(id, handler);
    return { dispose: () => state.commands.delete(id) };
  },
};

export class EventEmitter<T> {
  private readonly emitter = emitter<T>();
  readonly event = this.emitter.event;
  fire(value: T): void {
    this.emitter.fire(value);
  }
  dispose(): void {}
}

export const env = {
  clipboard: { writeText: async (text: string) => void (state.clipboard = text) },
};

export function document(file: string, text: string): FakeDocument {
  const created: FakeDocument = {
    text,
    getText: () => created.text,
    save: vi.fn(async () => true),
  };
  state.documents.set(path.resolve(file), created);
  return created;
}

export function fakeContext() {
  return {
    extensionUri: Uri.file("/ext"),
    subscriptions: [] as Array<{ dispose(): void }>,
    workspaceState: {
      get: (key: string) => structuredClone(state.workspaceState.get(key)),
      update: async (key: string, value: unknown) =>
        void state.workspaceState.set(key, structuredClone(value)),
    },
  };
}
