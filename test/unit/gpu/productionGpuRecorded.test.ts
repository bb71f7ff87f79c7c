import { describe, expect, it } from "vitest";
import { endFromContainer } from "../../../src/app/targets/local/settle";
import { diagnoseClusterRun } from "../../../src/core/diagnosis/cluster/diagnoseCluster";
import type { PodLike } from "../../../src/core/diagnosis/cluster/objects";
import { productionGpuOf } from "../../../src/core/gpu/productionGpu";
import type { LogLine, RunResult } from "../../../src/core/job/types";
import { upstreamQuote } from "./upstream";

// A GPU failure read where the run was not followed from its start: a local run settled from its
// container after its process went away, and a cluster run, which ran on production's GPU itself.
// Either way production's GPU comes from the run's record, not from a profile read again.
const A100_40 = productionGpuOf({ product: "NVIDIA-A100-SXM4-40GB" });
const OOM = upstreamQuote("torch-2.4-oom.txt").lines;

describe("production's GPU where the run is diagnosed again", () => {
  it("a local run settled from its container is explained against the GPU its record names", () => {
    const record: RunResult = {
      runId: "train-1",
      kind: "job",
      target: "local",
      status: "running",
      exitCode: null,
      oomKilled: false,
      image: "parity/train:1",
      notebook: "/w/train.ipynb",
      memoryLimitBytes: 16 * 1024 ** 3,
      productionGpu: A100_40,
      diagnosis: [],
    };
    const lines: LogLine[] = OOM.map((text) => ({ stream: "stderr", text, time: 0 }));
    const settled = {
      containerId: "c1",
      stoppedByParity: false,
      neverStarted: false,
      exitCode: 1,
      oomKilled: false,
      startedAt: "2026-12-04T10:00:01.000Z",
      finishedAt: "2026-12-04T10:00:31.000Z",
      lines,
    };
    const [diagnosis] = endFromContainer(record, settled, lines, {}).diagnosis;
    expect(diagnosis?.message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 22.78 GiB. This GPU has 31.47 GiB, less than the 40 GiB of production's NVIDIA-A100-SXM4-40GB: it may fit there; run it on the cluster target to know.",
    );
  });

  it("a cluster run ran on production's GPU itself, named where the profile says it", () => {
    const failedPod: PodLike = {
      metadata: { name: "train-1-x7k2p", namespace: "team-a", labels: { "parity.dev/run": "train-1" } },
      spec: { containers: [{ name: "main", image: "registry.example.com/team/train:3f2a" }] },
      status: {
        phase: "Failed",
        containerStatuses: [
          {
            name: "main",
            restartCount: 0,
            state: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-03-02T10:01:00Z" } },
          },
        ],
      },
    } as PodLike;
    const evidence = {
      kind: "Job" as const,
      status: "failed" as const,
      pods: [failedPod],
      events: [],
      memoryLimitBytes: 16 * 1024 ** 3,
      logTail: OOM,
    };
    expect(diagnoseClusterRun({ ...evidence, gpu: A100_40 })[0]?.message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 22.78 GiB. It ran on production's NVIDIA-A100-SXM4-40GB itself (40 GiB).",
    );
    // Without a GPU in the profile it still ran on production's GPU: nothing says it was not held.
    expect(diagnoseClusterRun(evidence)[0]?.message).toBe(
      "The GPU ran out of memory: PyTorch tried to allocate 22.78 GiB. It ran on production's GPU itself.",
    );
  });
});
