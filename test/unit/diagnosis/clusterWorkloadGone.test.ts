import { describe, expect, it } from "vitest";
import { workloadGoneDiagnosis } from "../../../src/core/diagnosis/cluster/workloadGone";

const ref = {
  context: "kwok",
  server: "https://127.0.0.1:6443",
  namespace: "team-a",
  kind: "PyTorchJob" as const,
  apiVersion: "kubeflow.org/v1",
  name: "train-1",
};

describe("workloadGoneDiagnosis", () => {
  it("says the workload was deleted while nobody followed it, and where the output is", () => {
    const diagnosis = workloadGoneDiagnosis(ref, "deleted", "train-1-20260302");
    expect(diagnosis).toMatchObject({ code: "WorkloadDeleted", severity: "warning" });
    expect(diagnosis.message).toBe(
      "The PyTorchJob train-1 in namespace team-a (context kwok) was deleted while no Parity window or command followed it, so how it ended is unknown; the run is marked cancelled.",
    );
    expect(diagnosis.fix).toContain("parity logs train-1-20260302");
  });

  it("tells a workload of the same name created again apart", () => {
    const diagnosis = workloadGoneDiagnosis(ref, "replaced", "r");
    expect(diagnosis.code).toBe("WorkloadReplaced");
    expect(diagnosis.message).toContain("is another workload now");
  });
});
