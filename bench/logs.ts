// The logs panel's state work for 1,000,000 lines, without a browser: appending them in the
// host's batch size (colour codes on one line in seven), searching them, and computing the
// visible window while scrolling. Usage: node scripts/run-ts.mjs bench/logs.ts [lines]
import type { LogLine } from "../src/core/job/types";
import { ansiSegments } from "../webview-ui/src/lib/logs/ansi";
import { LineStore } from "../webview-ui/src/lib/logs/lineStore";
import { LogSearch } from "../webview-ui/src/lib/logs/search";
import { visibleWindow } from "../webview-ui/src/lib/logs/viewport";

const total = Number(process.argv[2] ?? 1_000_000);
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
