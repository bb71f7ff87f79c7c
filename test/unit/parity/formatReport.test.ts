import { describe, expect, it } from "vitest";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import { formatReport, summarizeReport, wrap } from "../../../src/core/parity/formatReport";
import type { ParityReport } from "../../../src/core/parity/types";
import { GIB, matchingInput } from "./fixtures";

const report: ParityReport = {
  items: [
    {
      severity: "error",
      code: "MemoryPeakOver",
      message: "Your notebook peaked at 9.8 GiB; the production limit is 8 GiB.",
      fix: "Set resources.memory to 12Gi in parity.yaml.",
    },
    {
      severity: "warning",
      code: "RequirementUnpinned",
      message: "requirements.txt:4: numpy>=1.24 is not pinned.",
      fix: "Pin numpy==1.26.4 in requirements.txt.",
    },
  ],
  errors: 1,
  warnings: 1,
  infos: 0,
  compared: {},
};

describe("formatReport", () => {
  it("prints an aligned table of severity, message and fix, then the summary", () => {
    expect(formatReport(report, { width: 80 }).split("\n")).toEqual([
      "SEVERITY  MESSAGE                                 FIX",
      "error     Your notebook peaked at 9.8 GiB; the    Set resources.memory to 12Gi",
      "          production limit is 8 GiB.              in parity.yaml.",
      "warning   requirements.txt:4: numpy>=1.24 is not  Pin numpy==1.26.4 in",
      "          pinned.                                 requirements.txt.",
      "",
      "1 error, 1 warning",
    ]);
  });

  it("keeps every line within the width unless a single word is longer", () => {
    const real = buildParityReport(matchingInput({ lastRun: { peakMemoryBytes: 9.8 * GIB } }));
    for (const line of formatReport(real, { width: 90 }).split("\n"))
      expect(line.length).toBeLessThanOrEqual(90);
  });

  it("says so when there is nothing to report", () => {
    const clean = buildParityReport(matchingInput());
    expect(formatReport(clean)).toBe("Your notebook's environment matches production.\n0 errors, 0 warnings");
  });
});

describe("summarizeReport", () => {
  it("counts errors, warnings and notes with plurals", () => {
    expect(summarizeReport({ ...report, errors: 2, warnings: 0, infos: 1 })).toBe(
      "2 errors, 0 warnings, 1 note",
    );
  });
});

describe("helpers", () => {
  it("wraps words greedily and gives an overlong word its own line", () => {
    expect(wrap("pip install torch --index-url https://download.pytorch.org/whl/cu121 now", 20)).toEqual([
      "pip install torch",
      "--index-url",
      "https://download.pytorch.org/whl/cu121",
      "now",
    ]);
  });
});
