import { describe, expect, it } from "vitest";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import { formatReport, summarizeReport, wrap } from "../../../src/core/parity/formatReport";
import type { ParityReport } from "../../../src/core/parity/types";
import { GIB, lastRun, matchingInput, reportOf, REQUIREMENTS_ONLY } from "./fixtures";

const report: ParityReport = reportOf([
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
]);

describe("formatReport", () => {
  it("prints an aligned table of severity, message and fix, then the summary", () => {
    expect(formatReport(report, { width: 80 }).split("\n")).toEqual([
      "SEVERITY  MESSAGE                                 FIX",
      "error     Your notebook peaked at 9.8 GiB; the    Set resources.memory to 12Gi",
      "          production limit is 8 GiB.              in parity.yaml.",
      "warning   requirements.txt:4: numpy>=1.24 is not  Pin numpy==1.26.4 in",
      "          pinned.                                 requirements.txt.",
      "",
      "Compared: local /usr/bin/python3, image parity/train:1, limits in parity.yaml.",
      "1 error, 1 warning",
    ]);
  });

  it("keeps every line within the width unless a single word is longer", () => {
    const real = buildParityReport(matchingInput({ lastRun: lastRun({ peakMemoryBytes: 9.8 * GIB }) }));
    for (const line of formatReport(real, { width: 90 }).split("\n"))
      expect(line.length).toBeLessThanOrEqual(90);
  });

  it("says it matches production, with what it compared, only when every comparison was made", () => {
    const clean = buildParityReport(matchingInput());
    expect(formatReport(clean)).toBe(
      "Your notebook's environment matches production: local /home/ana/project/.venv/bin/python compared with image my-job:3f2a and the limits in parity.yaml.\n0 errors, 0 warnings",
    );
  });

  it("never says it matches production before the image is built", () => {
    const withoutImage = buildParityReport(
      matchingInput({ image: undefined, notCompared: [REQUIREMENTS_ONLY] }),
    );
    expect(withoutImage.items).toEqual([]);
    const text = formatReport(withoutImage);
    expect(text).not.toContain("matches production");
    expect(text.split("\n")).toEqual([
      "Parity found no mismatches, but it could not compare everything:",
      "Compared: local /home/ana/project/.venv/bin/python, requirements.txt (no image), limits in parity.yaml.",
      "Not compared: image not built yet: packages compared with requirements only.",
      "0 errors, 0 warnings",
    ]);
  });

  it("says what it could not compare when the caller did not (no interpreter, no image)", () => {
    const bare = buildParityReport(matchingInput({ image: undefined, local: undefined }));
    expect(bare.notCompared.map((gap) => gap.code)).toEqual(["ImageNotBuilt", "LocalNotProbed"]);
    expect(formatReport(bare)).not.toContain("matches production");
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
