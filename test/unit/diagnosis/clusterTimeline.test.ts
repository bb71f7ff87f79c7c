import { describe, expect, it } from "vitest";
import type { PodLike } from "../../../src/core/diagnosis/cluster/objects";
import { timelineFromEvent, timelineFromPod } from "../../../src/core/diagnosis/cluster/timeline";
import {
  lifecycleRank,
  mergeTimeline,
  sortTimeline,
} from "../../../src/core/diagnosis/cluster/timelineOrder";

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

describe("timelineFromEvent times", () => {
  const base = { involvedObject: { kind: "Pod", name: "p" }, reason: "Scheduled", message: "" };
  it("takes eventTime's sub-second precision when it falls in lastTimestamp's second", () => {
    const entry = timelineFromEvent({
      ...base,
      lastTimestamp: "2026-03-02T10:00:01Z",
      eventTime: "2026-03-02T10:00:01.234567Z",
    });
    expect(entry.time).toBe("2026-03-02T10:00:01.234Z");
  });

  it("keeps lastTimestamp for a repeated event whose eventTime is its first occurrence", () => {
    const entry = timelineFromEvent({
      ...base,
      lastTimestamp: "2026-03-02T10:00:41Z",
      eventTime: "2026-03-02T10:00:01.234567Z",
    });
    expect(entry.time).toBe("2026-03-02T10:00:41.000Z");
  });

  it("uses the last managedFields write when the event has no time of its own", () => {
    const entry = timelineFromEvent({
      ...base,
      metadata: {
        creationTimestamp: "2026-03-02T10:00:00Z",
        managedFields: [{ time: "2026-03-02T10:00:03Z" }, { time: "2026-03-02T10:00:02Z" }],
      },
    });
    expect(entry.time).toBe("2026-03-02T10:00:03.000Z");
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

  const at = (time: string, object: string, reason: string) => ({
    time,
    object,
    type: "Normal" as const,
    reason,
    message: "",
  });

  it("puts entries of the same second in lifecycle order, whatever order they arrived in", () => {
    const second = "2026-03-02T10:00:01.000Z";
    expect(
      sortTimeline([
        at(second, "Container/p/main", "Started"),
        at(second, "Pod/p", "Running"),
        at(second, "Pod/p", "Scheduled"),
        at(second, "Job/train", "Completed"),
        at(second, "Pod/p", "Succeeded"),
        at(second, "Container/p/main", "Completed"),
        at(second, "Pod/p", "Pulled"),
        at(second, "Pod/p", "Created"),
        at(second, "Job/train", "SuccessfulCreate"),
        at(second, "Pod/p", "Pulling"),
        at(second, "PyTorchJob/train", "PyTorchJobCreated"),
      ]).map((e) => `${e.object.split("/")[0]} ${e.reason}`),
    ).toEqual([
      "PyTorchJob PyTorchJobCreated",
      "Job SuccessfulCreate",
      "Pod Scheduled",
      "Pod Pulling",
      "Pod Pulled",
      "Pod Created",
      "Container Started",
      "Pod Running",
      "Container Completed",
      "Pod Succeeded",
      "Job Completed",
    ]);
  });

  it("keeps sub-second times in their order and places whole-second entries among them by rank", () => {
    expect(
      sortTimeline([
        at("2026-03-02T10:00:01.000Z", "Pod/p", "Running"),
        at("2026-03-02T10:00:01.700Z", "Pod/p", "Started"),
        at("2026-03-02T10:00:01.234Z", "Pod/p", "Scheduled"),
        at("2026-03-02T10:00:00.900Z", "Job/train", "SuccessfulCreate"),
        at("2026-03-02T10:00:01Z", "Pod/p", "Pulled"),
      ]).map((e) => e.reason),
    ).toEqual(["SuccessfulCreate", "Scheduled", "Pulled", "Running", "Started"]);
  });

  it("falls back to arrival order between entries of the same rank", () => {
    const second = "2026-03-02T10:00:01.000Z";
    expect(
      sortTimeline([
        at(second, "Pod/p", "BackOff"),
        at(second, "Pod/p", "Unhealthy"),
        at(second, "Pod/p", "BackOff"),
      ]).map((e) => e.reason),
    ).toEqual(["BackOff", "Unhealthy", "BackOff"]);
  });
});

describe("lifecycleRank", () => {
  it("ranks a workload's creation first and its end after its pods'", () => {
    const rank = (object: string, reason: string) => lifecycleRank({ object, reason });
    expect(rank("Job/t", "Created")).toBeLessThan(rank("Job/t", "SuccessfulCreate"));
    expect(rank("Pod/p", "Created")).toBeGreaterThan(rank("Pod/p", "Pulled"));
    expect(rank("TFJob/t", "TFJobSucceeded")).toBeGreaterThan(rank("Pod/p", "Succeeded"));
    expect(rank("Pod/p", "Failed")).toBeGreaterThan(rank("Container/p/c", "OOMKilled"));
  });
});

describe("mergeTimeline", () => {
  const entry = (time: string, reason: string, count?: number) => ({
    time,
    object: "Pod/p",
    type: "Normal" as const,
    reason,
    message: reason,
    ...(count ? { count } : {}),
  });

  it("keeps what an earlier process saw, once, and lets a repeated event's latest sighting replace it", () => {
    const merged = mergeTimeline(
      [entry("2026-03-02T10:00:01Z", "Scheduled"), entry("2026-03-02T10:00:02Z", "BackOff", 2)],
      [
        entry("2026-03-02T10:00:01Z", "Scheduled"),
        entry("2026-03-02T10:00:09Z", "BackOff", 5),
        entry("2026-03-02T10:00:10Z", "Started"),
      ],
    );
    expect(merged.map((e) => `${e.reason}${e.count ? ` x${e.count}` : ""}`)).toEqual([
      "Scheduled",
      "BackOff x5",
      "Started",
    ]);
  });

  it("keeps earlier entries that are no longer visible (expired events)", () => {
    expect(
      mergeTimeline(
        [entry("2026-03-02T09:00:00Z", "Pulled")],
        [entry("2026-03-02T10:00:00Z", "Started")],
      ).map((e) => e.reason),
    ).toEqual(["Pulled", "Started"]);
  });
});
