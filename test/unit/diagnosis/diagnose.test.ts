import { describe, expect, it } from "vitest";
import { diagnoseRun } from "../../../src/core/diagnosis/diagnose";
import type { RunEvidence } from "../../../src/core/diagnosis/types";

const MiB = 1024 * 1024;
const evidence = (over: Partial<RunEvidence>): RunEvidence => ({
  exitCode: 0,
  oomKilled: false,
  cancelled: false,
  memoryLimitBytes: 256 * MiB,
  logTail: [],
  ...over,
});

describe("diagnoseRun", () => {
  it("says nothing about a healthy successful run", () => {
    expect(diagnoseRun(evidence({ peakMemoryBytes: 40 * MiB }))).toEqual([]);
  });

  it("explains an OOM kill with the limit, as production would", () => {
    const [first, ...rest] = diagnoseRun(
      evidence({ exitCode: 137, oomKilled: true, peakMemoryBytes: 256 * MiB }),
    );
    expect(first?.code).toBe("OOMKilled");
    expect(first?.message).toContain("at the 256 MiB memory limit, as production would be");
    expect(first?.fix).toContain("resources.memory");
    expect(rest).toEqual([]);
  });

  it("points at the notebook cell of a Python exception", () => {
    const location = { file: "train.ipynb", cell: 4, line: 2 };
    const [first] = diagnoseRun(
      evidence({ exitCode: 1, failure: { exception: "ValueError", message: "bad shape", location } }),
    );
    expect(first).toMatchObject({ code: "PythonException", location });
    expect(first?.message).toBe("ValueError: bad shape (raised in cell 4, line 2)");
  });

  it("turns a missing module into the requirement to add, by distribution name", () => {
    const [first] = diagnoseRun(
      evidence({
        exitCode: 1,
        failure: { exception: "ModuleNotFoundError", message: "No module named 'sklearn'" },
        distributionFor: (module) => (module === "sklearn" ? "scikit-learn" : module),
      }),
    );
    expect(first?.code).toBe("ModuleNotFound");
    expect(first?.fix).toContain("Add scikit-learn to requirements.txt");
  });

  it("recognises CUDA out-of-memory in the logs", () => {
    const [first] = diagnoseRun(
      evidence({
        exitCode: 1,
        logTail: ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"],
      }),
    );
    expect(first?.code).toBe("GpuOutOfMemory");
  });

  it("warns when a successful run came within 10% of the limit", () => {
    const [first] = diagnoseRun(evidence({ peakMemoryBytes: 245 * MiB }));
    expect(first).toMatchObject({ code: "MemoryNearLimit", severity: "warning" });
    expect(first?.message).toContain("96% of the 256 MiB limit");
  });

  it("tells a cancelled run apart from a failure", () => {
    expect(diagnoseRun(evidence({ cancelled: true, exitCode: 137 })).map((d) => d.code)).toEqual([
      "Cancelled",
    ]);
  });

  it("reports a plain non-zero exit and a kill without OOM", () => {
    expect(diagnoseRun(evidence({ exitCode: 3 }))[0]?.message).toBe("The job exited with code 3.");
    expect(diagnoseRun(evidence({ exitCode: 137 }))[0]?.code).toBe("Killed");
  });
});
