import type { MessageMap } from "../../../src/protocol/messaging";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What VS Code keeps for the panel: what the host needs to reload it, and this page's UI state. */
interface SavedState<Ui> {
  restore: unknown;
  ui?: Ui;
}

export type HostHandlers<M extends MessageMap> = { [K in keyof M & string]?: (payload: M[K]) => void };

export interface HostConnection<FromWebview extends MessageMap, Ui> {
  send<K extends keyof FromWebview & string>(type: K, payload: FromWebview[K]): void;
  /** The UI state saved before the page was last dropped (hidden or reloaded). */
  readonly savedUi: Ui | undefined;
  saveUi(ui: Ui): void;
}

/** The first view state the host wrote into the page, so it renders before `ready` is answered. */
export function initialState<T>(): T | undefined {
  try {
    return (JSON.parse(document.body.dataset.state ?? "null") ?? undefined) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connects the page to its panel host: typed sends, handlers for the host's messages (anything
 * else is ignored), and `ready` once listening.
 */
export function connectToHost<ToWebview extends MessageMap, FromWebview extends MessageMap, Ui>(
  handlers: HostHandlers<ToWebview>,
): HostConnection<FromWebview, Ui> {
  const api = acquireVsCodeApi();
  const saved = api.getState() as SavedState<Ui> | undefined;
  let restore: unknown;
  try {
    restore = JSON.parse(document.body.dataset.restore ?? "null");
  } catch {
    restore = saved?.restore;
  }
  const state: SavedState<Ui> = { restore, ...(saved?.ui !== undefined ? { ui: saved.ui } : {}) };
  // Saved at once: VS Code hands this to the panel serializer after a window reload.
  api.setState(state);

  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== "object" || data === null) return;
    const { type, payload } = data as { type?: unknown; payload?: unknown };
    if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(handlers, type)) return;
    if (typeof payload !== "object" || payload === null) return;
    (handlers[type as keyof ToWebview & string] as (payload: unknown) => void)(payload);
  });
  const connection: HostConnection<FromWebview, Ui> = {
    send: (type, payload) => api.postMessage({ type, payload }),
    savedUi: state.ui,
    saveUi: (ui) => {
      state.ui = ui;
      api.setState(state);
    },
  };
  connection.send("ready", {} as FromWebview[keyof FromWebview & string]);
  return connection;
}
