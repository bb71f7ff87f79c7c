/**
 * What the host remembers of its open panels, so that a panel comes back after a window reload
 * even when its webview never saved a state (a panel covered by another one before its page
 * loaded, e.g. the logs panel of a run whose diagnosis opened half a second later). vscode-free:
 * the store is the extension's workspaceState.
 */

/** A panel as remembered: its view type and what its host needs to open it again. */
export interface RememberedPanel {
  viewType: string;
  ref: unknown;
}

/** The part of vscode.Memento this needs. */
export interface PanelStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const OPEN_PANELS_KEY = "parity.openPanels";

function sameRef(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asRemembered(value: unknown): RememberedPanel[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is RememberedPanel =>
      typeof entry === "object" &&
      entry !== null &&
      typeof (entry as Partial<RememberedPanel>).viewType === "string" &&
      "ref" in entry,
  );
}

/**
 * The panels of the last session (read once, when the panels are registered) and those of this
 * one (written on every open and close). Closing the window disposes the panels too: `freeze()`
 * first, so the list the next session reads is the one of the panels the user left open.
 */
export class PanelMemory {
  private readonly previous: RememberedPanel[];
  private readonly current: RememberedPanel[] = [];
  private frozen = false;

  constructor(
    private readonly store: PanelStore,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.previous = asRemembered(store.get(OPEN_PANELS_KEY));
  }

  /** The refs of the last session's panels of a view type, most recently opened first. */
  remembered(viewType: string): unknown[] {
    return this.previous
      .filter((entry) => entry.viewType === viewType)
      .map((entry) => entry.ref)
      .reverse();
  }

  opened(viewType: string, ref: unknown): void {
    if (this.frozen) return;
    this.current.push({ viewType, ref });
    this.save();
  }

  closed(viewType: string, ref: unknown): void {
    if (this.frozen) return;
    const index = this.current.findIndex((entry) => entry.viewType === viewType && sameRef(entry.ref, ref));
    if (index < 0) return;
    this.current.splice(index, 1);
    this.save();
  }

  /** The window is going away: the panels it disposes now stay remembered. */
  freeze(): void {
    this.frozen = true;
  }

  private save(): void {
    Promise.resolve(this.store.update(OPEN_PANELS_KEY, [...this.current])).catch((error: unknown) =>
      this.onError(`Could not remember the open panels for the next reload: ${String(error)}`),
    );
  }
}

export interface RestoreQuery<Ref> {
  /** The state the webview saved (`{ restore, ui }`), undefined when its page never saved one. */
  state: unknown;
  /** The restored tab's title, which VS Code keeps even when the webview state is missing. */
  title: string;
  /** The panels of this view type remembered by the host, most recently opened first. */
  remembered: unknown[];
  /** A valid ref of this view type, or undefined. */
  parse(value: unknown): Ref | undefined;
  /** The titles a panel of this ref can have. */
  titlesOf(ref: Ref): string[];
  /** Whether a panel of this ref is open already (it is not opened twice). */
  isOpen(ref: Ref): boolean;
}

/** What the webview saved for a reload (see webview-ui/src/lib/host.ts): `{ restore, ui }`. */
export function restoreOf(state: unknown): unknown {
  return typeof state === "object" && state !== null ? (state as { restore?: unknown }).restore : undefined;
}

/**
 * Which panel a restored tab is: the webview's own state when it saved one (it wins), else the
 * most recently opened remembered panel of that view type whose title is the tab's. Undefined
 * when nothing fits, or when that panel is open already (the tab is closed).
 */
export function chooseRestoreRef<Ref>(query: RestoreQuery<Ref>): Ref | undefined {
  const saved = restoreOf(query.state);
  if (saved !== undefined) {
    const ref = query.parse(saved);
    return ref && !query.isOpen(ref) ? ref : undefined;
  }
  const candidates: Ref[] = [];
  for (const value of query.remembered) {
    const ref = query.parse(value);
    if (ref && !query.isOpen(ref)) candidates.push(ref);
  }
  return candidates.find((ref) => query.titlesOf(ref).includes(query.title));
}
