import { describe, expect, it } from "vitest";
import { countsSentence, mismatchSummary, plural } from "../../../src/core/presentation/counts";
import { formatDuration, STATUS_WORDS } from "../../../src/core/presentation/runStatus";
import { isFinished } from "../../../src/core/workload/status";
import { notebookNode } from "../../../src/views/environment/environmentModel";
import { statusText } from "../../../src/statusBar/statusText";

describe("shared presentation", () => {
  it("says one in the singular and any other count in the plural", () => {
    expect(plural(1, "error")).toBe("1 error");
    expect(plural(0, "error")).toBe("0 errors");
    expect(plural(2, "mismatch", "mismatches")).toBe("2 mismatches");
    expect(countsSentence({ errors: 1, warnings: 1, infos: 1 })).toBe("1 error, 1 warning, 1 note");
    expect(countsSentence({ errors: 0, warnings: 2, infos: 3 })).toBe("0 errors, 2 warnings, 3 notes");
    expect(mismatchSummary({ errors: 0, warnings: 0, notCompared: [] })).toBe("matches production");
    expect(mismatchSummary({ errors: 0, warnings: 1, notCompared: [] })).toBe("1 mismatch");
  });

  it("gives the status bar and the Environment view the same summary and counts", () => {
    const report = { errors: 1, warnings: 1, infos: 1, items: [], notCompared: [] } as never;
    const bar = statusText("local", { kind: "checked", report }, "train.ipynb");
    const row = notebookNode("/w/train.ipynb", { kind: "checked", report });
    expect(bar.text).toContain(row.description!);
    expect(bar.tooltip).toContain("1 error, 1 warning, 1 note");
    expect(row.tooltip).toContain("1 error, 1 warning, 1 note");
  });

  it("counts a run as finished once it succeeded, failed or was cancelled", () => {
    expect(["succeeded", "failed", "cancelled"].every((status) => isFinished(status as never))).toBe(true);
    expect(["pending", "building", "running"].some((status) => isFinished(status as never))).toBe(false);
    expect(STATUS_WORDS.cancelled).toBe("Cancelled");
    expect(formatDuration(12_300)).toBe("12.3 s");
  });
});
