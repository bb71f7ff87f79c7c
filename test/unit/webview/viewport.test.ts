import { describe, expect, it } from "vitest";
import {
  MAX_SCROLL_HEIGHT,
  followAfterScroll,
  scrollTopFor,
  scrollTopForEnd,
  visibleWindow,
} from "../../../webview-ui/src/lib/logs/viewport";

describe("visibleWindow", () => {
  const base = { rowHeight: 20, height: 400, overscan: 5 };

  it("draws only the visible rows and a few around them", () => {
    const window = visibleWindow({ ...base, scrollTop: 2000, rowCount: 1000 });
    expect(window).toEqual({ first: 95, last: 126, offsetTop: 1900, scrollHeight: 20_000 });
    expect(visibleWindow({ ...base, scrollTop: 0, rowCount: 0 })).toEqual({
      first: 0,
      last: 0,
      offsetTop: 0,
      scrollHeight: 0,
    });
  });

  it("scales a million rows into the browser's height limit and still reaches the last row", () => {
    const rowCount = 1_000_000;
    const end = scrollTopForEnd({ ...base, scrollTop: 0, rowCount });
    expect(end).toBe(MAX_SCROLL_HEIGHT - 400);
    const window = visibleWindow({ ...base, scrollTop: end, rowCount });
    expect(window.last).toBe(rowCount);
    expect(window.last - window.first).toBeLessThan(40);
    expect(window.offsetTop + (window.last - window.first) * 20).toBeLessThanOrEqual(MAX_SCROLL_HEIGHT + 20);

    const middle = visibleWindow({ ...base, scrollTop: end / 2, rowCount });
    expect(middle.first).toBeGreaterThan(499_000);
    expect(middle.first).toBeLessThan(501_000);
  });

  it("scrolls a row into view only when it is not already", () => {
    const viewport = { ...base, scrollTop: 2000, rowCount: 1000 };
    expect(scrollTopFor(105, viewport)).toBe(2000);
    expect(scrollTopFor(500, viewport)).toBe(9800);
    const scaled = { ...base, scrollTop: 0, rowCount: 1_000_000 };
    const top = scrollTopFor(750_000, scaled);
    const window = visibleWindow({ ...scaled, scrollTop: top });
    expect(window.first).toBeLessThanOrEqual(750_000);
    expect(window.last).toBeGreaterThan(750_000);
  });
});

describe("followAfterScroll", () => {
  it("turns off when the user scrolls up and on again at the end", () => {
    expect(followAfterScroll(true, 1000, 900, 400, 1400)).toBe(false);
    expect(followAfterScroll(false, 900, 1000, 400, 1400)).toBe(true);
    expect(followAfterScroll(false, 500, 600, 400, 1400)).toBe(false);
    expect(followAfterScroll(true, 500, 600, 400, 1400)).toBe(true);
  });
});
