// The logs panel's state work for 1,000,000 lines, without a browser: appending them in the
// host's batch size (colour codes on one line in seven), searching them, and computing the
// visible window while scrolling. Then a run's logs.jsonl of 200,000 lines opened as the panel
// opens it: its last screen read and drawn first (time to the last screen), the lines before it
// read and joined in the background; against reading the log from its start, as before.
// Usage: node scripts/run-ts.mjs bench/logs.ts [lines] [opened log's lines]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readLogEnd, readLogRange } from "../src/app/store/logRange";
import { LogTail } from "../src/app/store/logTail";
import type { LogLine } from "../src/core/job/types";
import { ansiSegments } from "../webview-ui/src/lib/logs/ansi";
import { EndFirstLog } from "../webview-ui/src/lib/logs/endFirstLog";
import { LineStore } from "../webview-ui/src/lib/logs/lineStore";
import { LogSearch } from "../webview-ui/src/lib/logs/search";
import { visibleWindow } from "../webview-ui/src/lib/logs/viewport";

const total = Number(process.argv[2] ?? 1_000_000);
const openedLines = Number(process.argv[3] ?? 200_000);
const BATCH = 5000;
const ROW_HEIGHT = 18;
const HEIGHT = 800;

function batch(start: number): LogLine[] {
  const lines: LogLine[] = [];
  for (let index = start; index < Math.min(start + BATCH, total); index++) {
    const text =
      index % 7 === 0
        ? `\u001b[32mepoch ${index}\u001b[0m loss=${(1 / (index + 1)).toFixed(6)} acc=0.${index % 1000}`
        : `step ${index}: batch of 64 images in 12.3 ms`;
    lines.push({ stream: index % 50 === 0 ? "stderr" : "stdout", text, time: index });
  }
  return lines;
}

function time<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = work();
  return { ms: performance.now() - start, result };
}

const store = new LineStore();
const search = new LogSearch(store);
search.setQuery("epoch 9");
const batches = Array.from({ length: Math.ceil(total / BATCH) }, (_, index) => batch(index * BATCH));
const append = time(() => {
  for (const lines of batches) search.added(store.append(lines));
});
const query = time(() => search.setQuery("loss=0.0000"));
const filter = time(() => store.setFilter({ streams: ["stderr"] }));
store.setFilter({ streams: ["stdout", "stderr"] });

const frames = 1000;
const scroll = time(() => {
  let rows = 0;
  for (let frame = 0; frame < frames; frame++) {
    const scrollTop = (frame / frames) * 10_000_000;
    const window = visibleWindow({
      rowHeight: ROW_HEIGHT,
      height: HEIGHT,
      scrollTop,
      rowCount: store.rowCount,
    });
    for (let row = window.first; row < window.last; row++) {
      rows += ansiSegments(store.text(store.lineAt(row))).length;
    }
  }
  return rows;
});

const heap = process.memoryUsage().heapUsed / 1024 ** 2;
console.log(`lines                          ${store.rowCount.toLocaleString()}`);
console.log(
  `append (with live search)   ${append.ms.toFixed(0).padStart(7)} ms  (${((append.ms / total) * 1e6).toFixed(0)} ns a line)`,
);
console.log(
  `search "loss=0.0000"         ${query.ms.toFixed(0).padStart(7)} ms  (${search.matchCount} matches)`,
);
console.log(`filter to stderr             ${filter.ms.toFixed(0).padStart(7)} ms`);
console.log(
  `visible window + ANSI, frame ${(scroll.ms / frames).toFixed(3).padStart(7)} ms  (${frames} frames across the log)`,
);
console.log(`heap used                    ${heap.toFixed(0).padStart(7)} MiB`);

// Opening the logs of a finished run of `openedLines` lines.
const dir = mkdtempSync(path.join(tmpdir(), "parity-bench-logs-"));
const jsonl: string[] = [];
for (let start = 0; start < openedLines; start += BATCH)
  for (const line of batch(start)) if (line.time < openedLines) jsonl.push(`${JSON.stringify(line)}\n`);
writeFileSync(path.join(dir, "logs.jsonl"), jsonl.join(""));
const everything = { streams: ["stdout", "stderr"] as LogLine["stream"][] };
/** What a frame at the end of the view draws: the rows' coloured segments. */
function drawEnd(store: LineStore): void {
  const window = visibleWindow({
    rowHeight: ROW_HEIGHT,
    height: HEIGHT,
    scrollTop: 1e12,
    rowCount: store.rowCount,
  });
  for (let row = window.first; row < window.last; row++) ansiSegments(store.text(store.lineAt(row)));
}
// Each message crosses to the webview as JSON (the extension host's IPC) and back to objects.
const delivered = <T>(payload: T): T => JSON.parse(JSON.stringify(payload)) as T;

const endFirst = await (async () => {
  const started = performance.now();
  const end = await readLogEnd(dir, 1000);
  const log = new EndFirstLog(everything);
  log.end(delivered(end.lines), end.start > 0);
  drawEnd(log.store);
  const lastScreen = performance.now() - started;
  await readLogRange(dir, 0, end.start, (lines) => void log.earlier(delivered(lines), false));
  log.earlier([], true);
  return { lastScreen, whole: performance.now() - started, lines: log.store.size };
})();

const fromStart = await (async () => {
  const started = performance.now();
  const store = new LineStore();
  const tail = new LogTail(dir, {
    onLines: (lines) => void store.append(delivered(lines)),
    onRun: () => {},
    onReset: () => {},
  });
  await tail.update();
  tail.stop();
  drawEnd(store);
  return performance.now() - started;
})();
rmSync(dir, { recursive: true, force: true });
console.log(
  `open ${openedLines.toLocaleString()} lines: last screen ${endFirst.lastScreen.toFixed(0).padStart(4)} ms end first (${fromStart.toFixed(0)} ms reading from the start); whole log in order ${endFirst.whole.toFixed(0)} ms (${endFirst.lines.toLocaleString()} lines)`,
);
