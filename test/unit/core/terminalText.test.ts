import { describe, expect, it } from "vitest";
import { diagnoseRun } from "../../../src/core/diagnosis/diagnose";
import { mapTraceback } from "../../../src/core/notebook";
import { colouredText, plainText } from "../../../src/core/presentation/terminalText";
import { ansiSegments, plainText as pagePlainText } from "../../../webview-ui/src/lib/logs/ansi";
import { LineStore } from "../../../webview-ui/src/lib/logs/lineStore";

const ESC = "\u001b";
const LINES = [
  "plain line",
  `epoch 1${ESC}]0;training: epoch 1\u0007 loss 0.3`,
  `${ESC}[1;31mError${ESC}[0m: out of ${ESC}]2;title${ESC}\\memory`,
  `${ESC}[2K${ESC}[1Gstep${ESC}[1;5H 3${ESC}(B\u0007\tdone`,
  `${ESC}[33m 10%|#  |\r 50%|## |\r`,
  `see ${ESC}]8;;https://example.com${ESC}\\the docs${ESC}]8;;${ESC}\\.`,
  `text${ESC}]0;a title never ended`,
];

describe("plainText", () => {
  it("keeps the text a terminal shows: every escape sequence and control character but tab dropped", () => {
    expect(LINES.map(plainText)).toEqual([
      "plain line",
      "epoch 1 loss 0.3",
      "Error: out of memory",
      "step 3\tdone",
      " 50%|## |",
      "see the docs.",
      "text",
    ]);
  });

  it("reads lines as the logs panel's page does, so copy from either side is the same text", () => {
    expect(LINES.map(plainText)).toEqual(LINES.map(pagePlainText));
  });

  it("shows the page's rows (through its line store) with the text Copy All, Save and the CLI give", () => {
    const lines = [
      ...LINES,
      ...REDRAWN,
      " 10%|#   |\r 50%|##  |\r100%|####|\r",
      `${ESC}[31mred\rnew`,
      "a\rb\tc\r",
    ];
    const store = new LineStore();
    store.append(lines.map((text) => ({ stream: "stdout" as const, text, time: 0 })));
    const drawn = lines.map((_, number) =>
      ansiSegments(store.text(number))
        .map((segment) => segment.text)
        .join(""),
    );
    expect(drawn).toEqual(lines.map(plainText));
    expect(lines.map((_, number) => store.plain(number))).toEqual(lines.map(plainText));
    expect(lines.slice(LINES.length, LINES.length + 4).map(plainText)).toEqual(["abc", "50%", "abc", "50%"]);
  });

  it("keeps the colours set before a carriage return on the page", () => {
    const store = new LineStore();
    store.append([{ stream: "stdout", text: `${ESC}[31mred\rnew`, time: 0 }]);
    expect(ansiSegments(store.text(0))).toEqual([{ text: "new", classes: ["ansi-red-fg"] }]);
  });
});

/** Lines that end by erasing or retitling after a carriage return: a terminal still shows their text. */
const REDRAWN = [`abc\r${ESC}[K`, `50%\r${ESC}[2K\r`, `abc\r${ESC}]0;t\u0007`, `${ESC}[32m50%\r${ESC}[2K\r`];

describe("colouredText", () => {
  it("keeps the colours for a terminal and drops titles, cursor moves and erase line", () => {
    expect(colouredText(`${ESC}[2K${ESC}[1;31mError${ESC}]0;title\u0007${ESC}[m: boom`)).toBe(
      `${ESC}[1;31mError${ESC}[0m: boom`,
    );
    expect(colouredText(`${ESC}[33m 10%\r 50%`)).toBe(`${ESC}[33m 50%`);
  });

  it("writes a line redrawn 10,000 times with colours as its last redraw, its colours set once", () => {
    const redraws = Array.from(
      { length: 10_000 },
      (_, index) => `${ESC}[1m${ESC}[32m${index % 100}%${ESC}[39m|${ESC}[38;5;208m##${ESC}[22m\r`,
    );
    const line = `${redraws.join("")}done`;
    const coloured = colouredText(line);
    expect(coloured.length).toBeLessThan(40);
    expect(ansiSegments(coloured)).toEqual(ansiSegments(line));
  });

  it("sets the colours in effect at a carriage return as the page reads them", () => {
    const lines = [
      `${ESC}[1;3;4m${ESC}[22ma\rb`,
      `${ESC}[7;31mx\ry`,
      `${ESC}[38;2;1;2;3;48;5;9mx\r${ESC}[49my`,
      `${ESC}[38;2;1;2mbad\rz`,
      `${ESC}[31;0;1mx\ry`,
      `${ESC}[1m${ESC}[38;5;0mx\ry`,
      `${ESC}[92;103;9;27mx\r${ESC}[0mplain\rz`,
    ];
    for (const line of lines) expect(ansiSegments(colouredText(line))).toEqual(ansiSegments(line));
  });
});

describe("the diagnosis reads coloured output", () => {
  it("finds a coloured CUDA out-of-memory line", () => {
    const [first] = diagnoseRun({
      exitCode: 1,
      oomKilled: false,
      cancelled: false,
      memoryLimitBytes: 1024 ** 3,
      logTail: [`${ESC}[31mRuntimeError: CUDA out${ESC}]0;t\u0007 of memory${ESC}[0m`],
    });
    expect(first?.code).toBe("GpuOutOfMemory");
  });

  it("maps a traceback Python coloured (FORCE_COLOR)", () => {
    const script = "/opt/parity/job/main.py";
    const stderr = [
      `${ESC}[35mTraceback (most recent call last):${ESC}[0m`,
      `  File ${ESC}[35m"${script}"${ESC}[0m, line ${ESC}[35m1${ESC}[0m, in ${ESC}[35m<module>${ESC}[0m`,
      "    1 / 0",
      `${ESC}[1;35mZeroDivisionError${ESC}[0m: ${ESC}[35mdivision by zero${ESC}[0m`,
    ].join("\n");
    expect(mapTraceback(stderr, [{ cell: 1, line: 1, code: "1 / 0" }], script)).toMatchObject({
      exceptionType: "ZeroDivisionError",
      message: "division by zero",
      origin: { cell: 1, line: 1 },
    });
  });
});
