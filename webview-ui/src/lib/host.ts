import type { MessageMap } from "../../../src/protocol/messaging";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/**
 * What VS Code keeps for the panel while its page is dropped (the window reloading; a retained
 * page lives on while hidden): what the host needs to reload it, this page's UI state, and the
 * view it last drew.
 */
interface SavedState<Ui, View> {
  restore: unknown;
  ui?: Ui;
  view?: View;
}

/** A view drawn often (a log streaming in, a scroll) is kept at most this often. */
const VIEW_SAVE_INTERVAL_MS = 250;

export type HostHandlers<M extends MessageMap> = { [K in keyof M & string]?: (payload: M[K]) => void };

export interface HostConnection<FromWebview extends MessageMap, Ui, View> {
  send<K extends keyof FromWebview & string>(type: K, payload: FromWebview[K]): void;
  /** The UI state saved before the page was last dropped (the window reloaded). */
  readonly savedUi: Ui | undefined;
  saveUi(ui: Ui): void;
  /**
   * What to draw at once, before the host answers `ready`: the view this panel's page last saved
   * (the window reloaded, or a page not retained is shown again), else the first view state the
   * host wrote into the page (data-state). The host's messages then bring it up to date.
   */
  readonly lastView: View | undefined;
  /** Keeps the view drawn now for the page's next load. */
  saveView(view: View): void;
}

function parseData<T>(text: string | undefined): T | undefined {
  try {
    return (JSON.parse(text ?? "null") ?? undefined) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connects the page to its panel host: typed sends, handlers for the host's messages (anything
 * else is ignored), and `ready` once listening.
 */
export function connectToHost<ToWebview extends MessageMap, FromWebview extends MessageMap, Ui, View = never>(
  handlers: HostHandlers<ToWebview>,
): HostConnection<FromWebview, Ui, View> {
  const api = acquireVsCodeApi();
  const saved = api.getState() as SavedState<Ui, View> | undefined;
  const restore = parseData<unknown>(document.body.dataset.restore) ?? saved?.restore;
  const state: SavedState<Ui, View> = {
    restore,
    ...(saved?.ui !== undefined ? { ui: saved.ui } : {}),
    ...(saved?.view !== undefined ? { view: saved.view } : {}),
  };
  // Saved at once: VS Code hands this to the panel serializer after a window reload.
  api.setState(state);

  let lastSaved = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const saveNow = () => {
    clearTimeout(pending);
    pending = undefined;
    lastSaved = Date.now();
    api.setState(state);
  };
  const saveSoon = () => {
    pending ??= setTimeout(saveNow, Math.max(0, lastSaved + VIEW_SAVE_INTERVAL_MS - Date.now()));
  };

  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== "object" || data === null) return;
    const { type, payload } = data as { type?: unknown; payload?: unknown };
    if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(handlers, type)) return;
    if (typeof payload !== "object" || payload === null) return;
    (handlers[type as keyof ToWebview & string] as (payload: unknown) => void)(payload);
  });
  const connection: HostConnection<FromWebview, Ui, View> = {
    send: (type, payload) => api.postMessage({ type, payload }),
    savedUi: state.ui,
    saveUi: (ui) => {
      state.ui = ui;
      saveSoon();
    },
    lastView: state.view ?? parseData<View>(document.body.dataset.state),
    saveView: (view) => {
      state.view = view;
      saveSoon();
    },
  };
  connection.send("ready", {} as FromWebview[keyof FromWebview & string]);
  return connection;
}
