import { describe, expect, it } from "vitest";
import { statusText } from "../../../src/statusBar/statusText";

describe("the status bar", () => {
  it("shows the target and the number of mismatches (errors and warnings, not notes)", () => {
    const text = statusText(
      "local",
      { kind: "checked", report: { errors: 1, warnings: 1, infos: 3 } },
      "train.ipynb",
    );
    expect(text.text).toBe("$(beaker) Parity: local · 2 mismatches");
    expect(text.tooltip).toContain("Parity of train.ipynb");
    expect(text.tooltip).toContain("open the parity report");
  });

  it("says when the notebook matches production", () => {
    expect(statusText("local", { kind: "checked", report: { errors: 0, warnings: 0, infos: 2 } }).text).toBe(
      "$(beaker) Parity: local · matches production",
    );
    expect(statusText("local", { kind: "checked", report: { errors: 1, warnings: 0, infos: 0 } }).text).toBe(
      "$(beaker) Parity: local · 1 mismatch",
    );
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
