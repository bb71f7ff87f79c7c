import { describe, expect, it } from "vitest";
import { mapTraceback, missingModule, type LineMap } from "../../../src/core/notebook";

const SCRIPT = "/opt/parity/job/main.py";
const map: LineMap = [
  null,
  null,
  { cell: 2, line: 2, code: "return a / b" },
  null,
  { cell: 3, cellId: "c3", line: 1, code: "f()" },
];

describe("mapTraceback", () => {
  it("maps the innermost frame of the script to the cell and returns the exception", () => {
    const stderr = [
      "some log line",
      "Traceback (most recent call last):",
      `  File "${SCRIPT}", line 5, in <module>`,
      "    f()",
      `  File "${SCRIPT}", line 3, in f`,
      "    return a / b",
      "           ~~^~~",
      "ZeroDivisionError: division by zero",
      "",
    ].join("\n");
    const mapped = mapTraceback(stderr, map, SCRIPT);
    expect(mapped).toMatchObject({
      exceptionType: "ZeroDivisionError",
      message: "division by zero",
      summary: "ZeroDivisionError: division by zero",
      origin: { cell: 2, line: 2, code: "return a / b" },
    });
    expect(mapped?.frames.map((frame) => frame.function)).toEqual(["<module>", "f"]);
  });

  it("skips frames in libraries and in Parity's helpers, and takes the last of chained tracebacks", () => {
    const stderr = [
      "Traceback (most recent call last):",
      `  File "${SCRIPT}", line 3, in f`,
      "KeyError: 'x'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      `  File "${SCRIPT}", line 5, in <module>`,
      `  File "${SCRIPT}", line 4, in _parity_sh`,
      '  File "/usr/lib/python3.11/subprocess.py", line 571, in run',
      "    raise CalledProcessError(retcode, process.args,",
      "subprocess.CalledProcessError: Command '['/bin/sh', '-c', 'exit 3']' returned non-zero exit status 3.",
    ].join("\r\n");
    const mapped = mapTraceback(stderr, map, SCRIPT);
    expect(mapped?.exceptionType).toBe("subprocess.CalledProcessError");
    expect(mapped?.origin).toEqual({ cell: 3, cellId: "c3", line: 1, code: "f()" });
    expect(mapped?.frames).toHaveLength(3);
  });

  it("reads syntax errors, which have no Traceback header", () => {
    const stderr = [
      `  File "${SCRIPT}", line 3`,
      "    return a / b (",
      "                 ^",
      "SyntaxError: '(' was never closed",
    ].join("\n");
    expect(mapTraceback(stderr, map, SCRIPT)).toMatchObject({
      exceptionType: "SyntaxError",
      message: "'(' was never closed",
      origin: { cell: 2, line: 2 },
    });
  });

  it("keeps multi-line messages and returns undefined without a traceback", () => {
    const stderr = [
      "Traceback (most recent call last):",
      `  File "${SCRIPT}", line 5, in <module>`,
      "ValueError: first",
      "second",
      "",
      "later log",
    ].join("\n");
    expect(mapTraceback(stderr, map, SCRIPT)?.message).toBe("first\nsecond");
    expect(mapTraceback("Killed\n", map, SCRIPT)).toBeUndefined();
  });
});

describe("missingModule", () => {
  it("returns the top-level module of a ModuleNotFoundError only", () => {
    expect(
      missingModule({ exceptionType: "ModuleNotFoundError", message: "No module named 'pandas.io'" }),
    ).toBe("pandas");
    expect(
      missingModule({ exceptionType: "ImportError", message: "cannot import name 'x' from 'y'" }),
    ).toBeUndefined();
  });
});
