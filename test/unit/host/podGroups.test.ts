import { describe, expect, it } from "vitest";
import type { PodItem } from "../../../src/core/cluster/objects";
import { PodGroups } from "../../../src/views/cluster/podGroups";

const pod = (name: string, owner: string): PodItem => ({
  metadata: {
    namespace: "team-a",
    name,
    ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: owner, uid: `uid-${owner}` }],
  },
  status: { phase: "Running" },
});
const names = (pods: PodItem[]) => pods.map((each) => each.metadata?.name);

describe("the pods by group", () => {
  it("keep the informer's order when a pod's owner changes, rather than putting it last", () => {
    const groups = new PodGroups();
    const [first, second, third] = [pod("a", "x"), pod("b", "y"), pod("c", "y")];
    groups.update([first, second, third]);
    expect(names(groups.of("team-a/Job/y"))).toEqual(["b", "c"]);

    const changes = groups.update([pod("a", "y"), second, third]);
    expect([...changes.groups].sort()).toEqual(["team-a/Job/x", "team-a/Job/y"]);
    expect(names(groups.of("team-a/Job/y"))).toEqual(["a", "b", "c"]);
    expect(groups.of("team-a/Job/x")).toEqual([]);
  });
});
