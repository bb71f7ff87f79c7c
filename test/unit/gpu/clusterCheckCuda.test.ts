import { describe, expect, it } from "vitest";
import {
  clusterCheckJson,
  clusterCheckPassed,
  clusterCheckText,
} from "../../../src/app/targets/cluster/checkReport";
import type { ClusterCheck } from "../../../src/app/targets/cluster/prepare";
import type { Diagnosis } from "../../../src/core/diagnosis/types";

// parity check --target cluster with the image's CUDA build checked against the nodes' driver
// (app/targets/cluster/imageCuda.ts): a build the driver cannot run fails the check.
const tooOld: Diagnosis = {
  code: "GpuDriverTooOld",
  severity: "error",
  message:
    "The image's torch 2.4.0+cu124 is built with CUDA 12.4; production's nodes (node gpu-1) run NVIDIA driver 470.182.03 (CUDA 11.4), too old for it.",
  fix: "Use a torch built for the CUDA the driver supports (11.4 or older), or have the nodes' driver updated to 525.60.13 or newer.",
};

function check(imageCuda: Diagnosis[]): ClusterCheck {
  return {
    job: { notebookFile: "/w/train.ipynb" },
    target: { context: "kind", server: "https://127.0.0.1:6443", namespace: "ml" },
    prediction: { schedulable: true, problems: [], fits: [{ role: "job", nodes: ["gpu-1"] }] },
    missing: [],
    imageCuda,
  } as unknown as ClusterCheck;
}

describe("the image's CUDA in the cluster check", () => {
  it("fails the check on an error, says it with its fix, and lists it in the JSON", () => {
    expect(clusterCheckPassed(check([tooOld]))).toBe(false);
    expect(clusterCheckText(check([tooOld]))).toContain(`✗ ${tooOld.message}`);
    expect(clusterCheckText(check([tooOld]))).toContain("525.60.13 or newer");
    expect(clusterCheckJson(check([tooOld])).problems).toEqual([tooOld]);
  });

  it("passes with a note that only informs", () => {
    const note: Diagnosis = {
      ...tooOld,
      code: "ImageCudaNotChecked",
      severity: "info",
      message: "Not checked.",
    };
    expect(clusterCheckPassed(check([note]))).toBe(true);
    expect(clusterCheckText(check([note]))).toContain("· Not checked.");
  });
});
