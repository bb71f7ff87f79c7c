import { describe, expect, it } from "vitest";
import { ansiSegments, paletteRgb, withMatches } from "../../../webview-ui/src/lib/logs/ansi";
import { findAll } from "../../../webview-ui/src/lib/logs/search";

describe("ansiSegments", () => {
  it("turns colours into theme classes and other colours into rgb values, keeping text as text", () => {
    expect(ansiSegments("\u001b[1;31mError\u001b[0m <b>not html</b>")).toEqual([
      { text: "Error", classes: ["ansi-red-fg", "ansi-bold"] },
      { text: " <b>not html</b>", classes: [] },
    ]);
    expect(ansiSegments("\u001b[38;5;208morange\u001b[48;2;1;2;3mbg")).toEqual([
      { text: "orange", classes: [], color: paletteRgb(208) },
      { text: "bg", classes: [], color: paletteRgb(208), background: "rgb(1, 2, 3)" },
    ]);
    expect(ansiSegments("\u001b[92mok")).toEqual([{ text: "ok", classes: ["ansi-bright-green-fg"] }]);
    expect(ansiSegments("")).toEqual([]);
  });

  it("computes the 256-colour palette", () => {
    expect(paletteRgb(16)).toBe("rgb(0, 0, 0)");
    expect(paletteRgb(231)).toBe("rgb(255, 255, 255)");
    expect(paletteRgb(244)).toBe("rgb(128, 128, 128)");
  });
});

describe("withMatches", () => {
  it("splits coloured segments at match boundaries", () => {
    const segments = ansiSegments("\u001b[31mout of mem\u001b[0mory here");
    const pieces = withMatches(segments, findAll("out of memory here", "memory"), true);
    expect(pieces.map((piece) => [piece.text, piece.classes.join(" "), piece.match ?? ""])).toEqual([
      ["out of ", "ansi-red-fg", ""],
      ["mem", "ansi-red-fg", "current"],
      ["ory", "", "current"],
      [" here", "", ""],
    ]);
  });

  it("finds every case-insensitive occurrence", () => {
    expect(findAll("Loss loss LOSS", "loss")).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 9 },
      { start: 10, end: 14 },
    ]);
  });
});
