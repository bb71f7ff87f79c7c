import { describe, expect, it } from "vitest";
import { formatElapsed, localTime, localTimeAndAge, relativeAge } from "../../../src/core/presentation/time";

const now = Date.parse("2026-12-05T12:00:00.000Z");
const before = (ms: number) => now - ms;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe("relativeAge", () => {
  it("says how long ago, in the largest unit that fits", () => {
    expect(relativeAge(now, before(3000))).toBe("just now");
    expect(relativeAge(now, before(42_000))).toBe("42 s ago");
    expect(relativeAge(now, before(2 * MINUTE + 59_000))).toBe("2 min ago");
    expect(relativeAge(now, before(3 * 60 * MINUTE + 1))).toBe("3 h ago");
    expect(relativeAge(now, before(DAY + 5))).toBe("yesterday");
    expect(relativeAge(now, before(5 * DAY))).toBe("5 days ago");
    expect(relativeAge(now, before(15 * DAY))).toBe("2 weeks ago");
    expect(relativeAge(now, before(7 * 7 * DAY))).toBe("7 weeks ago");
    expect(relativeAge(now, before(65 * DAY))).toBe("2 months ago");
    expect(relativeAge(now, before(400 * DAY))).toBe("1 year ago");
  });

  it("reads recorded ISO times, and calls a time ahead of the clock (another machine's) just now", () => {
    expect(relativeAge(now, "2026-12-05T11:58:00.000Z")).toBe("2 min ago");
    expect(relativeAge(now, "2026-12-05T12:00:30.000Z")).toBe("just now");
    expect(relativeAge(now, "not a time")).toBe("just now");
  });
});

describe("local times", () => {
  const iso = "2026-12-05T11:58:00.000Z";

  it("show a recorded UTC time in the given language and time zone, to the second, naming the zone", () => {
    expect(localTime(iso, { locale: "en-GB", timeZone: "Europe/Paris" })).toBe("5 Dec 2026, 12:58:00 CET");
    expect(localTime(iso, { locale: "de", timeZone: "UTC" })).toBe("05.12.2026, 11:58:00 UTC");
    expect(localTimeAndAge(now, iso, { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe(
      "5 Dec 2026, 20:58:00 GMT+9 (2 min ago)",
    );
  });

  it("use the machine's time zone when none is given", () => {
    const zone = process.env.TZ;
    process.env.TZ = "America/Sao_Paulo";
    try {
      expect(localTime(iso, { locale: "en-GB" })).toBe("5 Dec 2026, 08:58:00 GMT-3");
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe("formatElapsed", () => {
  it("counts whole seconds, then minutes and seconds, then hours and minutes", () => {
    expect(formatElapsed(999)).toBe("0 s");
    expect(formatElapsed(8_700)).toBe("8 s");
    expect(formatElapsed(125_000)).toBe("2 min 05 s");
    expect(formatElapsed(3_720_000)).toBe("1 h 02 min");
    expect(formatElapsed(-5)).toBe("0 s");
  });
});
