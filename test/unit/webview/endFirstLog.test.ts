import { describe, expect, it } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { EndFirstLog } from "../../../webview-ui/src/lib/logs/endFirstLog";
import { LogSearch } from "../../../webview-ui/src/lib/logs/search";

const BOTH: LogLine["stream"][] = ["stdout", "stderr"];

function numbered(from: number, to: number): LogLine[] {
  return Array.from({ length: to - from }, (_, index) => ({
    stream: (from + index) % 3 === 0 ? "stderr" : "stdout",
    text: `line ${from + index}`,
    time: 0,
    ...((from + index) % 2 === 0 ? { source: "worker-0" } : {}),
  }));
}

function texts(log: EndFirstLog): string[] {
  const store = log.store;
  return Array.from({ length: store.rowCount }, (_, row) => store.text(store.lineAt(row)));
}

describe("EndFirstLog", () => {
  it("shows the end at once, then the whole log in its order once the earlier lines are in", () => {
    const log = new EndFirstLog({ streams: BOTH });
    log.end(numbered(90, 100), true);
    expect(log.loading).toBe(true);
    expect(texts(log)).toEqual(numbered(90, 100).map((line) => line.text));
    log.append(numbered(100, 102));

    expect(log.earlier(numbered(0, 50), false)).toBe(undefined);
    expect(log.loadedEarlier).toBe(50);
    expect(texts(log)).toHaveLength(12);
    const shift = log.earlier(numbered(50, 90), true);

    expect(log.loading).toBe(false);
    expect(texts(log)).toEqual(numbered(0, 102).map((line) => line.text));
    // A line shown before the join keeps its text under its new number: the old one plus the shift.
    expect(shift).toBe(90);
    expect(log.store.text(0 + shift!)).toBe("line 90");
    expect(log.store.source(0)).toBe("worker-0");
    expect(log.store.stream(0)).toBe("stderr");
    const search = new LogSearch(log.store);
    search.setQuery("line 1");
    // line 1, line 10..19, line 100, line 101: found in the earlier part and in the end alike.
    expect(search.matchingLines).toBe(13);
  });

  it("keeps the filter on both parts, and a log without earlier lines is whole at once", () => {
    const log = new EndFirstLog({ streams: ["stderr"] });
    log.end(numbered(6, 9), true);
    log.setFilter({ streams: BOTH, sources: ["worker-0"] });
    log.earlier(numbered(0, 6), true);
    expect(texts(log)).toEqual(["line 0", "line 2", "line 4", "line 6", "line 8"]);

    const short = new EndFirstLog({ streams: BOTH });
    short.end(numbered(0, 3), false);
    expect(short.loading).toBe(false);
    expect(short.earlier(numbered(0, 1), true)).toBe(undefined);
    expect(texts(short)).toEqual(["line 0", "line 1", "line 2"]);
  });

  it("drops everything when the log is replaced, including earlier lines still loading", () => {
    const log = new EndFirstLog({ streams: BOTH });
    log.end(numbered(5, 10), true);
    log.earlier(numbered(0, 2), false);
    log.reset();
    expect(log.loading).toBe(false);
    expect(texts(log)).toEqual([]);
    log.append(numbered(0, 1));
    expect(texts(log)).toEqual(["line 0"]);
  });
});
