import { describe, expect, it } from "vitest";
import { statusText } from "../../../src/statusBar/statusText";

describe("the status bar", () => {
  it("shows the target and the number of mismatches (errors and warnings, not notes)", () => {
    const text = statusText(
      "local",
      { kind: "checked", report: { errors: 1, warnings: 1, infos: 3, notCompared: [] } },
      "train.ipynb",
    );
    expect(text.text).toBe("$(beaker) Parity: local · 2 mismatches");
    expect(text.tooltip).toContain("Parity of train.ipynb");
    expect(text.tooltip).toContain("open the parity report");
  });

  it("says when the notebook matches production", () => {
    expect(
      statusText("local", { kind: "checked", report: { errors: 0, warnings: 0, infos: 2, notCompared: [] } })
        .text,
    ).toBe("$(beaker) Parity: local · matches production");
    expect(
      statusText("local", { kind: "checked", report: { errors: 1, warnings: 0, infos: 0, notCompared: [] } })
        .text,
    ).toBe("$(beaker) Parity: local · 1 mismatch");
  });

  it("never says the notebook matches production when a comparison was not made", () => {
    const gap = {
      short: "requirements only",
      sentence: "image not built yet: packages compared with requirements only",
    };
    const text = statusText("local", {
      kind: "checked",
      report: { errors: 0, warnings: 0, infos: 0, notCompared: [gap] },
    });
    expect(text.text).toBe("$(beaker) Parity: local · no mismatches · requirements only");
    expect(text.tooltip).toContain(
      "Not compared: image not built yet: packages compared with requirements only.",
    );
  });

  it("puts the last run's failure first: an OOM kill at the limit it ran with", () => {
    const report = {
      errors: 1,
      warnings: 0,
      infos: 0,
      notCompared: [],
      lastRun: {
        runId: "r1",
        target: "local" as const,
        status: "failed" as const,
        exitCode: 137,
        oomKilled: true,
        memoryLimitBytes: 128 * 1024 ** 2,
        diagnosis: [
          {
            code: "OOMKilled",
            severity: "error" as const,
            message:
              "Killed by the out-of-memory killer at the 128 MiB memory limit, as production would be.",
            fix: "",
          },
        ],
      },
    };
    const text = statusText("local", { kind: "checked", report }, "memory.ipynb");
    expect(text.text).toBe("$(beaker) Parity: local · OOMKilled at 128 MiB in the last run · 1 mismatch");
    expect(text.tooltip).toContain("Killed by the out-of-memory killer at the 128 MiB memory limit");
  });

  it("has a state before, during and after a failed check, each naming Parity", () => {
    for (const kind of ["none", "unchecked", "checking", "failed"] as const) {
      const text = statusText("local", { kind });
      expect(text.text).toContain("Parity: local");
      expect(text.tooltip).toContain("Parity");
    }
    expect(statusText("local", { kind: "checking" }).text).toContain("$(sync~spin)");
  });
});
