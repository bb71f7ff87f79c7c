import { describe, expect, it } from "vitest";
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { RunTimeline } from "../../../src/targets/kube/events";
import { activeStatus, workloadOutcome } from "../../../src/targets/kube/runWatch";
import { workloadForRun } from "../../../src/targets/kube/runWorkload";

describe("workloadOutcome", () => {
  it("waits for a Job's Complete or Failed, not the earlier SuccessCriteriaMet / FailureTarget", () => {
    const job = (conditions: { type: string; status: string; reason?: string; message?: string }[]) => ({
      status: { conditions },
    });
    expect(workloadOutcome("Job", job([{ type: "SuccessCriteriaMet", status: "True" }]))).toBeUndefined();
    expect(workloadOutcome("Job", job([{ type: "FailureTarget", status: "True" }]))).toBeUndefined();
    expect(workloadOutcome("Job", job([{ type: "Complete", status: "True" }]))).toEqual({
      status: "succeeded",
    });
    expect(
      workloadOutcome(
        "Job",
        job([
          {
            type: "Failed",
            status: "True",
            reason: "BackoffLimitExceeded",
            message: "Job has reached the specified backoff limit",
          },
        ]),
      ),
    ).toEqual({
      status: "failed",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    });
  });

  it("reads a PyTorchJob's Succeeded and Failed, ignoring conditions that are no longer true", () => {
    const conditions = [
      { type: "Created", status: "True" },
      { type: "Running", status: "False" },
      { type: "Failed", status: "True", reason: "PyTorchJobFailed" },
    ];
    expect(workloadOutcome("PyTorchJob", { status: { conditions } })).toEqual({
      status: "failed",
      reason: "PyTorchJobFailed",
    });
    expect(
      workloadOutcome("PyTorchJob", { status: { conditions: [{ type: "Succeeded", status: "False" }] } }),
    ).toBeUndefined();
    expect(
      workloadOutcome("TFJob", { status: { conditions: [{ type: "Succeeded", status: "True" }] } }),
    ).toEqual({ status: "succeeded" });
  });
});

describe("activeStatus", () => {
  it("is pending until a container has started", () => {
    const pod = (state: object): V1Pod => ({
      status: { phase: "Pending", containerStatuses: [{ name: "main", state } as never] },
    });
    expect(activeStatus([])).toBe("pending");
    expect(activeStatus([pod({ waiting: { reason: "ContainerCreating" } })])).toBe("pending");
    expect(activeStatus([pod({ running: { startedAt: "2026-03-02T10:00:00Z" } })])).toBe("running");
  });
});

describe("workloadForRun", () => {
  it("labels the workload and every replica's pod template with the run, leaving the input alone", () => {
    const input = {
      apiVersion: "kubeflow.org/v1",
      kind: "PyTorchJob",
      metadata: { name: "ddp", labels: { "parity.dev/profile": "gpu" } },
      spec: {
        pytorchReplicaSpecs: {
          Master: { template: { metadata: { labels: { team: "a" } } } },
          Worker: { template: {} },
        },
      },
    };
    const out = workloadForRun(input, "ddp-20260302-100000-ab12") as typeof input;
    expect(out.metadata.labels).toEqual({
      "parity.dev/profile": "gpu",
      "parity.dev/run": "ddp-20260302-100000-ab12",
    });
    expect(out.spec.pytorchReplicaSpecs.Master.template.metadata.labels).toEqual({
      team: "a",
      "parity.dev/run": "ddp-20260302-100000-ab12",
    });
    expect((out.spec.pytorchReplicaSpecs.Worker.template as { metadata?: object }).metadata).toEqual({
      labels: { "parity.dev/run": "ddp-20260302-100000-ab12" },
    });
    expect(input.spec.pytorchReplicaSpecs.Worker.template).toEqual({});
  });
});

describe("RunTimeline", () => {
  const event = (over: Partial<CoreV1Event>): CoreV1Event => ({
    metadata: { uid: "e1" },
    involvedObject: { kind: "Pod", name: "train-1-x7k2p" },
    type: "Warning",
    reason: "FailedScheduling",
    message: "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.",
    count: 1,
    lastTimestamp: "2026-03-02T10:00:01Z" as never,
    ...over,
  });

  it("keeps the run's events only, and one entry per event as its count grows", () => {
    const timeline = new RunTimeline({ kind: "Job", name: "train-1" });
    expect(timeline.addEvent(event({}))).toBe(true);
    expect(timeline.addEvent(event({ count: 4, lastTimestamp: "2026-03-02T10:02:01Z" as never }))).toBe(true);
    expect(
      timeline.addEvent(
        event({ metadata: { uid: "e2" }, involvedObject: { kind: "Pod", name: "train-10-abcde" } }),
      ),
    ).toBe(false);
    expect(
      timeline.addEvent(
        event({
          metadata: { uid: "e3" },
          involvedObject: { kind: "Job", name: "train-1" },
          reason: "SuccessfulCreate",
          type: "Normal",
          lastTimestamp: "2026-03-02T10:00:00Z" as never,
        }),
      ),
    ).toBe(true);
    expect(timeline.entries().map((e) => [e.object, e.reason, e.count])).toEqual([
      ["Job/train-1", "SuccessfulCreate", undefined],
      ["Pod/train-1-x7k2p", "FailedScheduling", 4],
    ]);
  });
});
