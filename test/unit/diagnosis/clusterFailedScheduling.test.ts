import { describe, expect, it } from "vitest";
import { parseFailedScheduling } from "../../../src/core/diagnosis/cluster/failedScheduling";

describe("parseFailedScheduling", () => {
  it("takes apart Kubernetes 1.36's message with its preemption part", () => {
    const parsed = parseFailedScheduling(
      "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    expect(parsed).toEqual({
      available: 0,
      total: 4,
      reasons: [
        {
          count: 1,
          kind: "InsufficientResource",
          resource: "nvidia.com/gpu",
          text: "Insufficient nvidia.com/gpu",
        },
        { count: 1, kind: "UntoleratedTaint", text: "node(s) had untolerated taint(s)" },
        { count: 2, kind: "NodeSelectorMismatch", text: "node(s) didn't match Pod's node affinity/selector" },
      ],
      preemption: "0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    });
  });

  it("reads the message the 1.36 scheduler really sends, with the DRA plugin's PostFilter text before preemption", () => {
    const parsed = parseFailedScheduling(
      "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient nvidia.com/gpu. no new claims to deallocate, preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    expect(parsed.reasons.map((r) => [r.count, r.kind, r.resource])).toEqual([
      [1, "UntoleratedTaint", undefined],
      [3, "InsufficientResource", "nvidia.com/gpu"],
    ]);
    expect(parsed.preemption).toBe("0/4 nodes are available: 4 Preemption is not helpful for scheduling.");
  });

  it("names the taint when an older scheduler put it in braces, commas and all", () => {
    const parsed = parseFailedScheduling(
      "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node(s) had untolerated taint {nvidia.com/gpu: present}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    expect(parsed.reasons.map((r) => [r.count, r.kind, r.resource])).toEqual([
      [1, "InsufficientResource", "cpu"],
      [1, "InsufficientResource", "memory"],
      [2, "UntoleratedTaint", "nvidia.com/gpu: present"],
    ]);
    expect(parsed.preemption).toMatch(/^0\/3 nodes are available: 1 No preemption victims/);
  });

  it("tells cordoned and not-ready nodes apart from a user's taint", () => {
    const parsed = parseFailedScheduling(
      "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable.",
    );
    expect(parsed.reasons.map((r) => r.kind)).toEqual(["NotReady", "Unschedulable"]);
    expect(parsed.preemption).toBeUndefined();
  });

  it("keeps a PreFilter sentence, which has no count, as it is", () => {
    const parsed = parseFailedScheduling(
      '0/4 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    );
    expect(parsed.total).toBe(4);
    expect(parsed.reasons).toEqual([
      { count: 0, kind: "Other", text: 'persistentvolumeclaim "data" not found' },
    ]);
  });

  it("does not invent numbers for a message of another shape", () => {
    expect(parseFailedScheduling("binding rejected: timeout")).toEqual({
      available: 0,
      total: 0,
      reasons: [{ count: 0, kind: "Other", text: "binding rejected: timeout" }],
    });
  });
});
