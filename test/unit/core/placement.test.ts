import { describe, expect, it } from "vitest";
import { namespaceQuestion } from "../../../src/core/cluster/placement";

describe("where a run on the cluster goes", () => {
  it("asks when the namespace selected for browsing is not the one parity.yaml runs in", () => {
    expect(namespaceQuestion("team-b", "prod", "train.ipynb")).toEqual({
      message:
        "train.ipynb's parity.yaml runs it in namespace prod, but this workspace has team-b selected (Select Namespace). Where should this run go?",
      profile: "prod",
      selected: "team-b",
    });
  });

  it("asks nothing when they agree or one of them is not set", () => {
    expect(namespaceQuestion("prod", "prod", "train.ipynb")).toBeUndefined();
    expect(namespaceQuestion(undefined, "prod", "train.ipynb")).toBeUndefined();
    expect(namespaceQuestion("team-b", undefined, "train.ipynb")).toBeUndefined();
  });
});
