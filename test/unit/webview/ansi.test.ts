import { describe, expect, it } from "vitest";
import { ansiSegments, paletteRgb, plainText, withMatches } from "../../../webview-ui/src/lib/logs/ansi";
import { LineStore } from "../../../webview-ui/src/lib/logs/lineStore";
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

  it("drops window titles and other OSC strings, ended by BEL or by ST", () => {
    expect(ansiSegments("epoch 1\u001b]0;training: epoch 1\u0007 loss 0.3")).toEqual([
      { text: "epoch 1 loss 0.3", classes: [] },
    ]);
    expect(plainText("a\u001b]2;title\u001b\\b")).toBe("ab");
    // A hyperlink's text stays; its address does not.
    expect(plainText("see \u001b]8;;https://example.com\u001b\\the docs\u001b]8;;\u001b\\.")).toBe(
      "see the docs.",
    );
  });

  it("drops cursor moves, erase line, character sets and bells, keeps tabs", () => {
    expect(plainText("\u001b[2K\u001b[1Gstep\u001b[1;5H 3\u001b(B\u0007\tdone\u001b[?25l")).toBe(
      "step 3\tdone",
    );
  });

  it("keeps the colours across a dropped sequence, and keeps a sequence left open out of the text", () => {
    expect(ansiSegments("\u001b[32mgre\u001b]0;t\u0007en\u001b[0m")).toEqual([
      { text: "green", classes: ["ansi-green-fg"] },
    ]);
    expect(plainText("text\u001b]0;a title never ended")).toBe("text");
  });

  it("draws a row (as the panel does: kept by its line store, then split) from the text after its last carriage return", () => {
    const drawn = (text: string) => {
      const store = new LineStore();
      store.append([{ stream: "stdout", text, time: 0 }]);
      return ansiSegments(store.text(0));
    };
    // The colours set before the carriage return still apply.
    expect(drawn("\u001b[33m 10%|#  |\r 50%|## |\r")).toEqual([
      { text: " 50%|## |", classes: ["ansi-yellow-fg"] },
    ]);
    expect(drawn(" 10%|#  |\r 50%|## |\r")).toEqual([{ text: " 50%|## |", classes: [] }]);
    // A carriage return with no text after it leaves the text shown.
    expect(drawn("abc\r\u001b[K")).toEqual([{ text: "abc", classes: [] }]);
    expect(drawn("50%\r\u001b[2K\r")).toEqual([{ text: "50%", classes: [] }]);
    expect(drawn("abc\r\u001b]0;t\u0007")).toEqual([{ text: "abc", classes: [] }]);
  });

  it("swaps the colours for reverse video, the panel's own where none is set", () => {
    expect(ansiSegments("\u001b[7;31mX")).toEqual([
      {
        text: "X",
        classes: ["ansi-red-bg"],
        color: "var(--vscode-terminal-background, var(--vscode-editor-background))",
      },
    ]);
  });

  it("turns decorations off one by one", () => {
    expect(ansiSegments("\u001b[1;3;4mA\u001b[22mB\u001b[23;24mC").map((segment) => segment.classes)).toEqual(
      [["ansi-bold", "ansi-italic", "ansi-underline"], ["ansi-italic", "ansi-underline"], []],
    );
  });

  it("gives search and copy exactly the text drawn", () => {
    const lines = [
      "plain line",
      "\u001b[1;31mError\u001b[0m: \u001b]0;title\u0007out of memory",
      "\u001b[38;5;208mx\u001b[48;2;1;2;3my\u001b[39;49mz\r\u001b[Knew",
      "\u009b31mC1 CSI\u009d0;c1 title\u009c kept",
      "emoji 😀 and é\u001b[0m",
    ];
    for (const line of lines)
      expect(plainText(line)).toBe(
        ansiSegments(line)
          .map((segment) => segment.text)
          .join(""),
      );
    expect(plainText(lines[1]!)).toBe("Error: out of memory");
  });

  it("computes the 256-colour palette", () => {
    expect(paletteRgb(16)).toBe("rgb(0, 0, 0)");
    expect(paletteRgb(231)).toBe("rgb(255, 255, 255)");
    expect(paletteRgb(244)).toBe("rgb(128, 128, 128)");
  });
});

describe("withMatches", () => {
  it("highlights a match that spans a dropped title sequence", () => {
    const line = "loss \u001b[32m0.25\u001b]0;epoch 3\u0007 at\u001b[0m epoch 3";
    const ranges = findAll(plainText(line), "0.25 at");
    expect(ranges).toEqual([{ start: 5, end: 12 }]);
    expect(withMatches(ansiSegments(line), ranges, false).filter((piece) => piece.match)).toEqual([
      { text: "0.25 at", classes: ["ansi-green-fg"], match: "match" },
    ]);
  });

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
