import { describe, expect, it } from "vitest";
import { LogCursor, normalizeTime, splitTimestamp } from "../../../src/targets/kube/logCursor";

/** Feeds lines "<time> <text>" through the cursor; returns the texts it lets through. */
function feed(cursor: LogCursor, lines: string[]): string[] {
  return lines.flatMap((line) => {
    const parsed = splitTimestamp(line)!;
    return cursor.accept(parsed.time) ? [parsed.text] : [];
  });
}

const T = (second: number, nanos = 0) =>
  `2026-03-02T10:00:${String(second).padStart(2, "0")}.${String(nanos).padStart(9, "0")}Z`;

describe("LogCursor", () => {
  it("asks for the whole log first, then from the last line's second, and skips the repeats", () => {
    const cursor = new LogCursor();
    expect(cursor.startStream()).toBeUndefined();
    expect(feed(cursor, [`${T(1, 5)} a`, `${T(2, 100)} b`, `${T(2, 100)} c`])).toEqual(["a", "b", "c"]);
    expect(cursor.current).toEqual({ time: T(2, 100), seen: 2 });

    // The stream dropped; the server repeats everything from 10:00:02 on.
    expect(cursor.startStream()).toBe("2026-03-02T10:00:02Z");
    expect(
      feed(cursor, [
        `${T(2, 0)} earlier-in-second`,
        `${T(2, 100)} b`,
        `${T(2, 100)} c`,
        `${T(2, 100)} d`,
        `${T(3)} e`,
      ]),
    ).toEqual(["d", "e"]);
    expect(cursor.current).toEqual({ time: T(3), seen: 1 });
  });

  it("lets later lines with the resumed timestamp through once the repeats are past", () => {
    const cursor = new LogCursor({ time: T(5, 1), seen: 1 });
    cursor.startStream();
    expect(feed(cursor, [`${T(5, 1)} old`, `${T(5, 1)} new-1`, `${T(5, 1)} new-2`])).toEqual([
      "new-1",
      "new-2",
    ]);
    expect(cursor.current).toEqual({ time: T(5, 1), seen: 3 });
  });

  it("counts lines of one timestamp within a single stream without skipping any", () => {
    const cursor = new LogCursor();
    cursor.startStream();
    expect(feed(cursor, [`${T(1)} a`, `${T(1)} b`, `${T(1)} c`])).toEqual(["a", "b", "c"]);
  });
});

describe("timestamps", () => {
  it("normalizes to the kubelet's fixed nine digits so they compare as text", () => {
    expect(normalizeTime("2026-03-02T10:00:00.12Z")).toBe("2026-03-02T10:00:00.120000000Z");
    expect(normalizeTime("2026-03-02T12:00:00.5+02:00")).toBe("2026-03-02T10:00:00.500000000Z");
    expect(normalizeTime("2026-03-02T10:00:00Z")).toBe("2026-03-02T10:00:00.000000000Z");
  });

  it("splits a timestamped line and keeps the text's own spaces", () => {
    expect(splitTimestamp("2026-03-02T10:00:00.123456789Z  loss 0.5 ")).toEqual({
      time: "2026-03-02T10:00:00.123456789Z",
      text: " loss 0.5 ",
    });
    expect(splitTimestamp("unable to retrieve container logs")).toBeUndefined();
  });
});
