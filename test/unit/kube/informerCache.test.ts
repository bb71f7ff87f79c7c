import { describe, expect, it } from "vitest";
import { changesAfterList, keyOf } from "../../../src/targets/kube/informerCache";

const object = (name: string, resourceVersion: string, namespace?: string) => ({
  metadata: { name, resourceVersion, ...(namespace ? { namespace } : {}) },
});

describe("changesAfterList", () => {
  it("reports objects gone, new and changed since the cached state", () => {
    const cache = new Map(
      [object("kept", "10", "a"), object("changed", "11", "a"), object("gone", "12", "a")].map((o) => [
        keyOf(o),
        o,
      ]),
    );
    const changes = changesAfterList(cache, [
      object("kept", "10", "a"),
      object("changed", "9", "a"),
      object("new", "13", "a"),
    ]);
    // "9" after "11": versions are opaque, any difference is a modification.
    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual([
      "deleted gone",
      "modified changed",
      "added new",
    ]);
  });

  it("keys namespaced objects by namespace/name and cluster-scoped ones by /name", () => {
    expect(keyOf(object("p", "1", "team-a"))).toBe("team-a/p");
    expect(keyOf(object("gpu-a100-4", "1"))).toBe("/gpu-a100-4");
  });
});
