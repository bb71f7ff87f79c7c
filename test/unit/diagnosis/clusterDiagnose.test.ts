import { describe, expect, it } from "vitest";
import {
  diagnoseClusterRun,
  type ClusterRunEvidence,
} from "../../../src/core/diagnosis/cluster/diagnoseCluster";
import type { PodLike } from "../../../src/core/diagnosis/cluster/objects";
import type { NodeFacts, PodDemand } from "../../../src/core/preflight/types";

const GiB = 1024 ** 3;

/** A pod as the API returns it (raw watch JSON: times are strings), trimmed to what matters. */
function pod(
  name: string,
  over: { labels?: Record<string, string>; status?: PodLike["status"]; nodeName?: string } = {},
): PodLike {
  return {
    metadata: { name, namespace: "team-a", labels: { "parity.dev/run": "train-1", ...over.labels } },
    spec: {
      nodeName: over.nodeName,
      containers: [
        {
          name: "main",
          image: "registry.example.com/team/train:3f2a",
          resources: {
            limits: { cpu: "4", memory: "2Gi", "nvidia.com/gpu": "16" },
            requests: { cpu: "4", memory: "2Gi", "nvidia.com/gpu": "16" },
          },
        },
      ],
    },
    status: over.status ?? { phase: "Pending" },
  };
}

const replica = (type: string, index: number) => ({
  "training.kubeflow.org/replica-type": type,
  "training.kubeflow.org/replica-index": String(index),
});

const terminated = (
  exitCode: number,
  finishedAt: string,
  reason = exitCode === 0 ? "Completed" : "Error",
) => ({
  phase: exitCode === 0 ? "Succeeded" : "Failed",
  containerStatuses: [
    {
      name: "main",
      restartCount: 0,
      state: { terminated: { exitCode, reason, startedAt: "2026-03-02T10:00:00Z", finishedAt } },
    },
  ],
});

const schedulingEvent = (message: string, name = "train-1-x7k2p") => ({
  time: "2026-03-02T10:00:01Z",
  object: `Pod/${name}`,
  type: "Warning" as const,
  reason: "FailedScheduling",
  message,
});

const evidence = (over: Partial<ClusterRunEvidence>): ClusterRunEvidence => ({
  kind: "Job",
  status: "failed",
  pods: [],
  events: [],
  memoryLimitBytes: 2 * GiB,
  logTail: [],
  ...over,
});

describe("diagnoseClusterRun", () => {
  it("explains a Pending pod from the scheduler's real FailedScheduling message, with what it asks for", () => {
    const [first, ...rest] = diagnoseClusterRun(
      evidence({
        status: "pending",
        pods: [pod("train-1-x7k2p", { labels: { "job-name": "train-1" } })],
        events: [
          {
            time: "2026-03-02T10:00:01Z",
            object: "Pod/train-1-x7k2p",
            type: "Warning",
            reason: "FailedScheduling",
            message:
              "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
          },
        ],
      }),
    );
    expect(first?.code).toBe("FailedScheduling");
    expect(first?.message).toBe(
      "The scheduler cannot place pod train-1-x7k2p (0 of 4 nodes fit): 1 node without enough nvidia.com/gpu (the pod asks for 16), 1 node with a taint the pod does not tolerate, 2 nodes not matching its node selector or affinity. Evicting other pods would not help.",
    );
    expect(first?.fix).toContain("cluster.tolerations");
    expect(rest).toEqual([]);
  });

  it("gives an OOM kill with the container's own limit, worded like a local OOM", () => {
    const oom = pod("train-1-x7k2p", {
      nodeName: "cpu-1",
      status: terminated(137, "2026-03-02T10:00:09Z", "OOMKilled"),
    });
    const [first] = diagnoseClusterRun(evidence({ pods: [oom], memoryLimitBytes: 1 }));
    expect(first).toMatchObject({ code: "OOMKilled", severity: "error" });
    expect(first?.message).toBe(
      "Pod train-1-x7k2p was killed by the out-of-memory killer at its 2 GiB memory limit.",
    );
    expect(first?.fix).toContain("resources.memory");
  });

  it("names the image that cannot be pulled and points at the registry and its credentials", () => {
    const waiting = pod("train-1-x7k2p", {
      nodeName: "cpu-1",
      status: {
        phase: "Pending",
        containerStatuses: [
          {
            name: "main",
            state: {
              waiting: {
                reason: "ImagePullBackOff",
                message: 'Back-off pulling image "registry.example.com/team/train:3f2a"',
              },
            },
          },
        ],
      },
    });
    const [first] = diagnoseClusterRun(evidence({ status: "running", pods: [waiting] }));
    expect(first?.code).toBe("ImagePullFailed");
    expect(first?.message).toContain(
      "cannot pull registry.example.com/team/train:3f2a for pod train-1-x7k2p",
    );
    expect(first?.fix).toMatch(/image\.registry.*credentials/);
  });

  it("reports a crash loop with its restarts and last exit code", () => {
    const looping = pod("train-1-x7k2p", {
      nodeName: "cpu-1",
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "main",
            restartCount: 5,
            state: {
              waiting: { reason: "CrashLoopBackOff", message: "back-off 2m40s restarting failed container" },
            },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-03-02T10:04:00Z" } },
          },
        ],
      },
    });
    const found = diagnoseClusterRun(evidence({ status: "running", pods: [looping] }));
    expect(found.map((d) => d.code)).toEqual(["CrashLoopBackOff", "NonZeroExit"]);
    expect(found[0]?.message).toBe(
      "Container main of pod train-1-x7k2p keeps crashing (restarted 5 times, last exit code 1 Error).",
    );
  });

  it("passes the eviction message on", () => {
    const evicted = pod("train-1-x7k2p", {
      nodeName: "cpu-2",
      status: {
        phase: "Failed",
        reason: "Evicted",
        message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92Mi.",
      },
    });
    const [first] = diagnoseClusterRun(evidence({ pods: [evicted] }));
    expect(first?.code).toBe("Evicted");
    expect(first?.message).toBe(
      "The node evicted pod train-1-x7k2p: The node was low on resource: memory. Threshold quantity: 100Mi, available: 92Mi.",
    );
  });

  it("names the replica of a PyTorchJob that failed first, then explains its traceback like a local run", () => {
    const location = { file: "train.ipynb", cell: 5, line: 3 };
    const found = diagnoseClusterRun(
      evidence({
        kind: "PyTorchJob",
        pods: [
          pod("ddp-master-0", {
            labels: replica("master", 0),
            nodeName: "cpu-1",
            status: terminated(1, "2026-03-02T10:02:31Z"),
          }),
          pod("ddp-worker-0", {
            labels: replica("worker", 0),
            nodeName: "cpu-2",
            status: terminated(1, "2026-03-02T10:02:30Z"),
          }),
          pod("ddp-worker-1", {
            labels: replica("worker", 1),
            nodeName: "cpu-2",
            status: terminated(1, "2026-03-02T10:01:58Z"),
          }),
        ],
        failure: { exception: "RuntimeError", message: "shape mismatch", location },
      }),
    );
    expect(found[0]?.code).toBe("ReplicaFailedFirst");
    expect(found[0]?.message).toBe(
      "worker-1 failed first at 10:01:58 UTC (Error 1); worker-0, master-0 failed after it.",
    );
    expect(found[1]).toMatchObject({ code: "PythonException", location });
  });

  it("says a cancelled run's workload was deleted, and still why it never started", () => {
    const stuck = pod("train-1-x7k2p");
    const found = diagnoseClusterRun(
      evidence({
        status: "cancelled",
        pods: [stuck],
        events: [schedulingEvent("0/4 nodes are available: 4 Insufficient nvidia.com/gpu.")],
      }),
    );
    expect(found.map((d) => d.code)).toEqual(["Cancelled", "FailedScheduling"]);
    expect(diagnoseClusterRun(evidence({ status: "cancelled" })).map((d) => d.code)).toEqual(["Cancelled"]);
  });

  it("names the taint and gives the numbers when the nodes are known", () => {
    const node = (name: string, gpu: number, taints: NodeFacts["taints"] = []): NodeFacts => ({
      name,
      labels: { "kubernetes.io/hostname": name, ...(gpu ? { "nvidia.com/gpu.product": `gpu-${gpu}` } : {}) },
      taints,
      unschedulable: false,
      ready: true,
      allocatable: { cpuMilli: 64_000, memoryBytes: 512 * GiB, gpu, pods: 110 },
      allocated: { cpuMilli: 0, memoryBytes: 0, gpu: 0, pods: 0 },
    });
    const nodes = [
      node("cpu-1", 0),
      node("cpu-2", 0),
      node("gpu-a100-4", 4),
      node("gpu-h100-8", 8, [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }]),
    ];
    const demand = (gpu: number): PodDemand => ({
      role: "job",
      count: 1,
      cpuMilli: 4000,
      memoryBytes: 2 * GiB,
      gpu,
      nodeSelector: {},
      tolerations: [],
    });
    const tooBig = diagnoseClusterRun(
      evidence({
        status: "pending",
        pods: [pod("big")],
        events: [schedulingEvent("0/4 nodes are available: 4 Insufficient nvidia.com/gpu.", "big")],
        nodes,
        demands: [demand(16)],
      }),
    );
    expect(tooBig.map((d) => d.code)).toEqual(["FailedScheduling", "InsufficientGpu"]);
    expect(tooBig[1]?.message).toMatch(/16 GPUs.*largest.*8/);

    const intolerant = diagnoseClusterRun(
      evidence({
        status: "pending",
        pods: [pod("eight")],
        events: [
          schedulingEvent(
            "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient nvidia.com/gpu. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
            "eight",
          ),
        ],
        nodes,
        demands: [demand(8)],
      }),
    );
    expect(intolerant.map((d) => d.code)).toEqual(["FailedScheduling", "UntoleratedTaint"]);
    expect(intolerant[1]?.message).toContain("nvidia.com/gpu=present:NoSchedule");
  });

  it("falls back on the workload's Failed condition when no pod explains it", () => {
    const [first] = diagnoseClusterRun(
      evidence({
        workloadFailure: {
          reason: "DeadlineExceeded",
          message: "Job was active longer than specified deadline",
        },
      }),
    );
    expect(first?.message).toBe("The Job failed: Job was active longer than specified deadline");
  });

  it("says nothing about a run that succeeded", () => {
    const done = pod("train-1-x7k2p", { nodeName: "cpu-1", status: terminated(0, "2026-03-02T10:00:09Z") });
    expect(diagnoseClusterRun(evidence({ status: "succeeded", pods: [done] }))).toEqual([]);
  });
});
