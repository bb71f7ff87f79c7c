import type {
  LogFilter,
  LogLine,
  LogsFromWebview,
  LogsRunInfo,
  LogsToWebview,
  LogStream,
  LogsViewState,
} from "../../../src/protocol/logs";
import { MAX_COPY_CHARS } from "../../../src/protocol/logs";
import "../lib/base.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import "../lib/logs/logs.css";
import { EndFirstLog } from "../lib/logs/endFirstLog";
import { LineStore } from "../lib/logs/lineStore";
import { MAX_DRAWN_CHARS, renderRow } from "../lib/logs/rows";
import { LogSearch } from "../lib/logs/search";
import {
  followAfterScroll,
  scrollTopFor,
  scrollTopForEnd,
  visibleWindow,
  type Viewport,
} from "../lib/logs/viewport";

/** Must match .line's height in logs.css. */
const ROW_HEIGHT = 18;
const SEARCH_DELAY_MS = 120;

/** Lines of the last screen kept for the page's next load, at most. */
const SNAPSHOT_LINES = 200;

/** What the page remembers when it is hidden and shown again, or the window reloads. */
interface LogsUi {
  query: string;
  follow: boolean;
  streams: LogStream[];
  sources?: string[];
  /** Not following: the line in the middle of the view, by its place in the log. */
  anchorLine?: number;
}

type Field = HTMLElement & { value: string };
type Toggle = HTMLElement & { checked: boolean };

let notice: { message: string; error?: boolean } | undefined;
let dirty = false;
let lastScrollTop = 0;
/** The scroll position the page set itself; scroll events there are not the user's. */
let ownScrollTop: number | undefined;
/** Not following: the line the next frame brings to the middle of the view. */
let anchorToShow: number | undefined;

const host = connectToHost<LogsToWebview, LogsFromWebview, LogsUi, LogsViewState>({
  run: (info) => {
    run = info;
    drawStatus();
  },
  end: ({ lines, earlier }) => {
    log.end(lines, earlier);
    // Not following, the last screen stays until the whole log can show the same place.
    if (ui.follow || !earlier) show(log.store, { anchor: ui.anchorLine });
    else drawStatus();
  },
  earlier: ({ lines, done }) => {
    const before = log.store;
    const shift = log.earlier(lines, done);
    if (shift === undefined) return schedule();
    if (view !== before) return show(log.store, { anchor: ui.anchorLine });
    // The lines shown move down by the earlier ones: the same lines stay in view and current.
    const current = search.currentLine;
    show(log.store, {
      anchor: ui.follow ? undefined : lineInMiddle() + shift,
      current: current === undefined ? undefined : current + shift,
    });
  },
  lines: ({ lines }) => {
    const added = log.append(lines);
    if (view !== log.store) return schedule();
    search.added(added);
    refreshSources();
    schedule();
  },
  reset: () => {
    log.reset();
    show(log.store, {});
  },
  notice: (message) => {
    notice = message;
    drawStatus();
  },
});

const ui: LogsUi = { query: "", follow: true, streams: ["stdout", "stderr"], ...host.savedUi };
const lastView = host.lastView;
let run: LogsRunInfo | undefined = lastView?.run;
const log = new EndFirstLog(filter());
/** The last screen the page showed, drawn until the host has sent the log. */
const snapshot = new LineStore();
snapshot.setFilter(filter());
snapshot.append(lastView?.lines ?? []);
/** The lines drawn: the snapshot, then the log. */
let view = snapshot;
let search = new LogSearch(view);

const app = document.getElementById("app")!;
app.className = "logs";
app.innerHTML = `
  <div class="toolbar" role="toolbar" aria-label="Log tools">
    <vscode-textfield data-testid="log-search" placeholder="Search" aria-label="Search the log"></vscode-textfield>
    <span class="match-count" data-testid="log-match-count" aria-live="polite"></span>
    <vscode-button secondary data-action="previous" title="Previous match (Shift+Enter)">Previous</vscode-button>
    <vscode-button secondary data-action="next" title="Next match (Enter)">Next</vscode-button>
    <vscode-checkbox data-testid="log-follow" label="Follow"></vscode-checkbox>
    <vscode-single-select data-testid="log-stream-filter" aria-label="Streams">
      <vscode-option value="both">stdout and stderr</vscode-option>
      <vscode-option value="stdout">stdout</vscode-option>
      <vscode-option value="stderr">stderr</vscode-option>
    </vscode-single-select>
    <vscode-single-select data-testid="log-source-filter" aria-label="Source" hidden></vscode-single-select>
    <span class="spacer"></span>
    <vscode-button secondary data-testid="log-copy-visible" title="Copy the lines in view">Copy Visible</vscode-button>
    <vscode-button secondary data-testid="log-copy" title="Copy every line that passes the filter">Copy All</vscode-button>
    <vscode-button secondary data-testid="log-save" title="Save every line that passes the filter to a file">Save...</vscode-button>
  </div>
  <div class="status-line"><span data-testid="log-status"></span><span class="notice" role="status"></span></div>
  <div class="scroller" tabindex="0" aria-label="Log lines"><div class="spacer-block"></div><div class="rows"></div></div>
`;
const searchField = app.querySelector<Field>('[data-testid="log-search"]')!;
const matchCount = app.querySelector<HTMLElement>('[data-testid="log-match-count"]')!;
const followBox = app.querySelector<Toggle>('[data-testid="log-follow"]')!;
const streamSelect = app.querySelector<Field>('[data-testid="log-stream-filter"]')!;
const sourceSelect = app.querySelector<Field>('[data-testid="log-source-filter"]')!;
const statusText = app.querySelector<HTMLElement>('[data-testid="log-status"]')!;
const noticeText = app.querySelector<HTMLElement>(".notice")!;
const scroller = app.querySelector<HTMLDivElement>(".scroller")!;
const spacer = app.querySelector<HTMLDivElement>(".spacer-block")!;
const rows = app.querySelector<HTMLDivElement>(".rows")!;

function save(): void {
  host.saveUi({ ...ui });
}

/**
 * Draws `store` from now on. `anchor`: not following, the line to bring back to the middle of
 * the view; `current`: the line of the current search match, kept current.
 */
function show(store: LineStore, { anchor, current }: { anchor?: number; current?: number }): void {
  view = store;
  search = new LogSearch(view);
  search.setQuery(ui.query);
  if (current !== undefined) search.step(1, current);
  refreshSources();
  anchorToShow = anchor;
  schedule();
}

/** The line in the middle of the view (its number in the lines drawn). */
function lineInMiddle(): number {
  const window = visibleWindow({ ...viewport(), overscan: 0 });
  const rows = Math.min(window.last, view.rowCount) - window.first;
  return rows > 0 ? view.lineAt(window.first + Math.floor(rows / 2)) : view.dropped;
}

/** The screen drawn now, kept for the page's next load (after a window reload). */
function saveSnapshot(): void {
  const window = visibleWindow({ ...viewport(), overscan: 0 });
  const last = Math.min(window.last, view.rowCount);
  const lines: LogLine[] = [];
  for (let row = Math.max(window.first, last - SNAPSHOT_LINES); row < last; row++) {
    const number = view.lineAt(row);
    const source = view.source(number);
    const text = view.text(number);
    lines.push({
      stream: view.stream(number),
      // A long line (a coloured progress bar keeps its redraws) is kept as the text it shows.
      text: text.length > MAX_DRAWN_CHARS ? view.plain(number).slice(0, MAX_DRAWN_CHARS) : text,
      time: 0,
      ...(source ? { source } : {}),
    });
  }
  if (run) host.saveView({ run, lines, lineCount: shownCount() });
  if (!ui.follow && view === log.store && !log.loading) {
    const anchorLine = lineInMiddle();
    if (anchorLine !== ui.anchorLine) {
      ui.anchorLine = anchorLine;
      save();
    }
  }
}

/** Lines the log has so far: those shown, the earlier ones loaded, or the snapshot's count. */
function shownCount(): number {
  if (view === snapshot) return Math.max(lastView?.lineCount ?? 0, snapshot.size);
  return view.size + log.loadedEarlier;
}

function filter(): LogFilter {
  return { streams: ui.streams, ...(ui.sources ? { sources: ui.sources } : {}) };
}

function viewport(): Viewport {
  return {
    rowHeight: ROW_HEIGHT,
    height: scroller.clientHeight,
    scrollTop: scroller.scrollTop,
    rowCount: view.rowCount,
  };
}

function schedule(): void {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(draw);
}

function setScrollTop(top: number): void {
  ownScrollTop = Math.round(top);
  scroller.scrollTop = top;
  lastScrollTop = scroller.scrollTop;
}

/** One frame: size the scroll range, follow the end if asked, draw the visible rows only. */
function draw(): void {
  dirty = false;
  spacer.style.height = `${visibleWindow(viewport()).scrollHeight}px`;
  if (ui.follow) setScrollTop(scrollTopForEnd(viewport()));
  else if (anchorToShow !== undefined) {
    const row = view.rowOf(anchorToShow);
    if (row >= 0) setScrollTop(scrollTopFor(row, { ...viewport(), scrollTop: 0 }));
  }
  anchorToShow = undefined;
  const window = visibleWindow(viewport());
  rows.style.transform = `translateY(${window.offsetTop}px)`;
  const current = search.currentLine;
  const drawn: HTMLDivElement[] = [];
  for (let row = window.first; row < window.last; row++) {
    const number = view.lineAt(row);
    drawn.push(renderRow(view, number, search.lowerText, number === current));
  }
  rows.replaceChildren(...drawn);
  drawMatches();
  drawStatus();
  saveSnapshot();
}

/** "", "No matches", "3 matches", "1 of 3", or "line 1 of 2 · 3 matches" when a line has several. */
function drawMatches(): void {
  const count = search.matchCount;
  const plural = `${count} ${count === 1 ? "match" : "matches"}`;
  if (!search.text) matchCount.textContent = "";
  else if (count === 0) matchCount.textContent = "No matches";
  else if (search.currentIndex === 0) matchCount.textContent = plural;
  else if (search.matchingLines === count) matchCount.textContent = `${search.currentIndex} of ${count}`;
  else matchCount.textContent = `line ${search.currentIndex} of ${search.matchingLines} · ${plural}`;
}

function drawStatus(): void {
  const parts: string[] = [];
  if (run) parts.push(`${run.notebookName} · ${run.status}${run.live ? " (live)" : ""}`);
  const count = shownCount();
  const shown = view.rowCount < view.size ? `${view.rowCount.toLocaleString()} of ` : "";
  parts.push(`${shown}${count.toLocaleString()} ${count === 1 ? "line" : "lines"}`);
  if (view === snapshot) parts.push("loading");
  else if (log.loading)
    parts.push(`loading the lines before these: ${log.loadedEarlier.toLocaleString()} so far`);
  if (view.dropped > 0)
    parts.push(`the first ${view.dropped.toLocaleString()} are not shown (Save writes every line)`);
  statusText.textContent = parts.join(" · ");
  noticeText.textContent = notice?.message ?? "";
  noticeText.classList.toggle("severity-error", !!notice?.error);
}

function setFollow(follow: boolean): void {
  if (ui.follow === follow) return;
  ui.follow = follow;
  followBox.checked = follow;
  save();
  // Following shows the log's end at once, not the last screen kept while the log loads.
  if (follow && view !== log.store) show(log.store, {});
  else if (follow) schedule();
}

function goTo(number: number | undefined): void {
  if (number === undefined) return;
  const row = view.rowOf(number);
  if (row < 0) return;
  setFollow(false);
  setScrollTop(scrollTopFor(row, viewport()));
  schedule();
}

function step(direction: 1 | -1): void {
  const top = visibleWindow({ ...viewport(), overscan: 0 }).first;
  goTo(search.step(direction, view.rowCount > 0 ? view.lineAt(Math.min(top, view.rowCount - 1)) : undefined));
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchField.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    ui.query = searchField.value;
    save();
    search.setQuery(ui.query);
    if (ui.query && search.matchCount > 0) step(1);
    schedule();
  }, SEARCH_DELAY_MS);
});
searchField.addEventListener("keydown", (event: KeyboardEvent) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  step(event.shiftKey ? -1 : 1);
});
document.addEventListener("keydown", (event: KeyboardEvent) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f") {
    event.preventDefault();
    searchField.focus();
  } else if (event.key === "F3") {
    event.preventDefault();
    step(event.shiftKey ? -1 : 1);
  }
});
app.querySelector('[data-action="next"]')!.addEventListener("click", () => step(1));
app.querySelector('[data-action="previous"]')!.addEventListener("click", () => step(-1));
followBox.addEventListener("change", () => setFollow(followBox.checked));

scroller.addEventListener("scroll", () => {
  const top = scroller.scrollTop;
  const own = ownScrollTop !== undefined && Math.abs(top - ownScrollTop) <= 1;
  ownScrollTop = undefined;
  if (!own)
    setFollow(followAfterScroll(ui.follow, lastScrollTop, top, scroller.clientHeight, scroller.scrollHeight));
  lastScrollTop = top;
  schedule();
});
new ResizeObserver(() => schedule()).observe(scroller);

function applyFilter(): void {
  log.setFilter(filter());
  snapshot.setFilter(filter());
  search.setQuery(search.text);
  save();
  schedule();
}

streamSelect.addEventListener("change", () => {
  ui.streams = streamSelect.value === "both" ? ["stdout", "stderr"] : [streamSelect.value as LogStream];
  applyFilter();
});
sourceSelect.addEventListener("change", () => {
  ui.sources = sourceSelect.value === "*" ? undefined : [sourceSelect.value];
  applyFilter();
});

/** The sources the filter lists now, by name: another log, or the snapshot, may have as many others. */
let knownSources = "[]";
/** The source filter appears once a run has output from more than one replica or step. */
function refreshSources(): void {
  const sources = view.sources.filter(Boolean);
  const names = JSON.stringify(sources);
  if (names === knownSources) return;
  knownSources = names;
  const options = [["*", "All sources"], ...sources.map((source) => [source, source])].map(
    ([value, label]) => {
      const option = document.createElement("vscode-option") as HTMLElement & { value: string };
      option.setAttribute("value", value!);
      option.textContent = label!;
      return option;
    },
  );
  sourceSelect.replaceChildren(...options);
  sourceSelect.value = ui.sources?.[0] ?? "*";
  sourceSelect.hidden = sources.length < 2;
}

app.querySelector('[data-testid="log-copy-visible"]')!.addEventListener("click", () => {
  const window = visibleWindow({ ...viewport(), overscan: 0 });
  const texts: string[] = [];
  for (let row = window.first; row < Math.min(window.last, view.rowCount); row++)
    texts.push(view.plain(view.lineAt(row)));
  const text = texts.join("\n").slice(0, MAX_COPY_CHARS);
  host.send("copyVisible", { text, lines: texts.length });
});
app
  .querySelector('[data-testid="log-copy"]')!
  .addEventListener("click", () => host.send("copyAll", { filter: filter() }));
app
  .querySelector('[data-testid="log-save"]')!
  .addEventListener("click", () => host.send("save", { filter: filter() }));

// Restore what the user had before the page was dropped.
searchField.value = ui.query;
followBox.checked = ui.follow;
streamSelect.value = ui.streams.length === 2 ? "both" : ui.streams[0]!;
search.setQuery(ui.query);
refreshSources();
drawStatus();
schedule();
