import { describe, expect, it } from "vitest";
import type { LogLine } from "../../../src/core/job/types";
import { LineStore, withoutRedraws } from "../../../webview-ui/src/lib/logs/lineStore";
import { LogSearch } from "../../../webview-ui/src/lib/logs/search";

function lines(texts: string[], stream: LogLine["stream"] = "stdout", source?: string): LogLine[] {
  return texts.map((text) => ({ stream, text, time: 0, ...(source ? { source } : {}) }));
}

describe("LineStore", () => {
  it("keeps lines with their stream and source, and filters by both", () => {
    const store = new LineStore();
    store.append(lines(["epoch 1", "epoch 2"], "stdout", "worker-0"));
    store.append(lines(["warning"], "stderr", "worker-1"));
    expect(store.rowCount).toBe(3);
    expect(store.sources).toEqual(["worker-0", "worker-1"]);

    store.setFilter({ streams: ["stderr"] });
    expect(store.rowCount).toBe(1);
    expect(store.text(store.lineAt(0))).toBe("warning");

    store.setFilter({ streams: ["stdout", "stderr"], sources: ["worker-0"] });
    expect([0, 1].map((row) => store.text(store.lineAt(row)))).toEqual(["epoch 1", "epoch 2"]);
    const added = store.append(
      lines(["epoch 3"], "stdout", "worker-0").concat(lines(["other"], "stdout", "worker-1")),
    );
    expect(added).toEqual([3]);
    expect(store.rowOf(3)).toBe(2);
    expect(store.rowOf(2)).toBe(-1);
  });

  it("drops the oldest lines past its cap but keeps numbering them", () => {
    const store = new LineStore(100);
    store.append(lines(Array.from({ length: 150 }, (_, index) => `line ${index}`)));
    expect(store.rowCount).toBeLessThanOrEqual(100);
    expect(store.end).toBe(150);
    expect(store.text(store.lineAt(0))).toBe(`line ${store.dropped}`);
    expect(store.text(149)).toBe("line 149");
    expect(store.has(0)).toBe(false);
  });

  it("searches the text without terminal colours", () => {
    const store = new LineStore();
    store.append(lines(["\u001b[31mError\u001b[0m: out of memory", "ok", "error again, ERROR"]));
    expect(store.plain(0)).toBe("Error: out of memory");
    const search = new LogSearch(store);
    search.setQuery("error");
    expect(search.matchCount).toBe(3);
    expect(search.matchingLines).toBe(2);
  });
});

describe("withoutRedraws", () => {
  it("keeps a progress bar's last redraw when nothing before it carries over", () => {
    expect(withoutRedraws(" 10%|#   |\r 50%|##  |\r100%|####|\r")).toBe("100%|####|\r");
    expect(withoutRedraws("plain")).toBe("plain");
    // Colours, and a sequence that could still be open, carry over: the parser reads the whole line.
    expect(withoutRedraws("\u001b[32m 0%\r 5%")).toBe("\u001b[32m 0%\r 5%");
    expect(withoutRedraws("abc\r\u001b[K")).toBe("abc\r\u001b[K");
    const store = new LineStore();
    store.append(lines(["\u001b[32m 0%\r\u001b[32m100%\u001b[0m"]));
    expect(store.plain(0)).toBe("100%");
  });
});

describe("LogSearch", () => {
  it("counts new lines as they arrive and steps through matching lines, wrapping", () => {
    const store = new LineStore();
    const search = new LogSearch(store);
    search.setQuery("loss");
    search.added(store.append(lines(["loss 1.0", "acc", "loss 0.5"])));
    expect(search.matchCount).toBe(2);

    expect(search.step(1)).toBe(0);
    expect(search.currentIndex).toBe(1);
    expect(search.step(1)).toBe(2);
    expect(search.step(1)).toBe(0);
    expect(search.step(-1)).toBe(2);
    search.added(store.append(lines(["loss 0.1"])));
    expect(search.matchCount).toBe(3);
  });

  it("starts from the line in view and forgets lines the store dropped", () => {
    const store = new LineStore(20);
    const search = new LogSearch(store);
    search.setQuery("x");
    search.added(store.append(lines(Array.from({ length: 10 }, (_, index) => (index % 2 ? "x" : "-")))));
    expect(search.step(1, 4)).toBe(5);
    search.added(store.append(lines(Array.from({ length: 30 }, () => "-"))));
    expect(search.matchCount).toBe(0);
    expect(search.step(1)).toBeUndefined();
  });

  it("follows the filter: only shown lines are searched", () => {
    const store = new LineStore();
    store.append([...lines(["fail here"]), ...lines(["fail there"], "stderr")]);
    store.setFilter({ streams: ["stderr"] });
    const search = new LogSearch(store);
    search.setQuery("FAIL");
    expect(search.matchCount).toBe(1);
    expect(search.step(1)).toBe(1);
  });
});
