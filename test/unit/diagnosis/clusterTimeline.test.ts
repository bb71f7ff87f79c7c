import { describe, expect, it } from "vitest";
import type { PodLike } from "../../../src/core/diagnosis/cluster/objects";
import {
  sortTimeline,
  timelineFromEvent,
  timelineFromPod,
} from "../../../src/core/diagnosis/cluster/timeline";

const now = new Date("2026-03-02T10:00:05.000Z");

describe("timelineFromEvent", () => {
  it("turns a core/v1 Event from the scheduler into an entry at its last time, with its count", () => {
    expect(
      timelineFromEvent({
        metadata: { name: "train-1-x7k2p.182a", creationTimestamp: "2026-03-02T10:00:01Z" },
        involvedObject: { kind: "Pod", name: "train-1-x7k2p", uid: "4c1d" },
        type: "Warning",
        reason: "FailedScheduling",
        message: "0/4 nodes are available: 4 Insufficient nvidia.com/gpu. ",
        count: 3,
        firstTimestamp: "2026-03-02T10:00:01Z",
        lastTimestamp: "2026-03-02T10:00:41Z",
      }),
    ).toEqual({
      time: "2026-03-02T10:00:41.000Z",
      object: "Pod/train-1-x7k2p",
      type: "Warning",
      reason: "FailedScheduling",
      message: "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.",
      count: 3,
    });
  });

  it("reads the newer events' eventTime and series count (typed client Dates too)", () => {
    const entry = timelineFromEvent({
      involvedObject: { kind: "Job", name: "train-1" },
      type: "Normal",
      reason: "SuccessfulCreate",
      message: "Created pod: train-1-x7k2p",
      eventTime: new Date("2026-03-02T10:00:00.123Z"),
      series: { count: 1 },
    });
    expect(entry).toEqual({
      time: "2026-03-02T10:00:00.123Z",
      object: "Job/train-1",
      type: "Normal",
      reason: "SuccessfulCreate",
      message: "Created pod: train-1-x7k2p",
    });
  });
});

describe("timelineFromPod", () => {
  const pending: PodLike = {
    metadata: { name: "train-1-x7k2p", creationTimestamp: "2026-03-02T10:00:00Z" },
    status: { phase: "Pending" },
  };
  const running: PodLike = {
    metadata: { name: "train-1-x7k2p" },
    spec: { nodeName: "cpu-1" },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-03-02T10:00:02Z" }],
      containerStatuses: [
        { name: "main", restartCount: 0, state: { running: { startedAt: "2026-03-02T10:00:02Z" } } },
      ],
    },
  };
  const oom: PodLike = {
    metadata: { name: "train-1-x7k2p" },
    spec: { nodeName: "cpu-1" },
    status: {
      phase: "Failed",
      containerStatuses: [
        {
          name: "main",
          restartCount: 0,
          state: {
            terminated: {
              exitCode: 137,
              reason: "OOMKilled",
              message: "Container exceeded its memory limit",
              finishedAt: "2026-03-02T10:00:04Z",
            },
          },
        },
      ],
    },
  };

  it("records the phase and the container starting", () => {
    expect(timelineFromPod(running, pending, now)).toEqual([
      {
        time: "2026-03-02T10:00:02.000Z",
        object: "Pod/train-1-x7k2p",
        type: "Normal",
        reason: "Running",
        message: "Pod is Running on node cpu-1.",
      },
      {
        time: "2026-03-02T10:00:02.000Z",
        object: "Container/train-1-x7k2p/main",
        type: "Normal",
        reason: "Started",
        message: "Container is running.",
      },
    ]);
  });

  it("records an OOM kill with its exit code as a warning, at the time it ended", () => {
    expect(timelineFromPod(oom, running, now)).toEqual([
      {
        time: "2026-03-02T10:00:04.000Z",
        object: "Pod/train-1-x7k2p",
        type: "Warning",
        reason: "Failed",
        message: "Pod is Failed on node cpu-1.",
      },
      {
        time: "2026-03-02T10:00:04.000Z",
        object: "Container/train-1-x7k2p/main",
        type: "Warning",
        reason: "OOMKilled",
        message: "Exited with code 137: Container exceeded its memory limit",
      },
    ]);
  });

  it("records nothing when nothing changed", () => {
    expect(timelineFromPod(oom, oom, now)).toEqual([]);
  });

  it("records a waiting reason such as ErrImagePull once", () => {
    const pulling: PodLike = {
      metadata: { name: "p" },
      status: {
        phase: "Pending",
        containerStatuses: [
          { name: "main", state: { waiting: { reason: "ErrImagePull", message: "not found" } } },
        ],
      },
    };
    expect(timelineFromPod(pulling, pending, now).map((e) => [e.object, e.reason, e.time])).toEqual([
      ["Container/p/main", "ErrImagePull", now.toISOString()],
    ]);
    expect(timelineFromPod(pulling, pulling, now)).toEqual([]);
  });
});

describe("sortTimeline", () => {
  it("orders by time and keeps the recorded order for equal times", () => {
    const entry = (time: string, reason: string) => ({
      time,
      object: "Pod/p",
      type: "Normal" as const,
      reason,
      message: "",
    });
    expect(
      sortTimeline([
        entry("2026-03-02T10:00:02Z", "b"),
        entry("2026-03-02T10:00:01Z", "a"),
        entry("2026-03-02T10:00:02Z", "c"),
      ]).map((e) => e.reason),
    ).toEqual(["a", "b", "c"]);
  });
});
