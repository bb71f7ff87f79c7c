import { describe, expect, it } from "vitest";
import { summarizeRules } from "../../../src/targets/kube/rules";

describe("summarizeRules", () => {
  const summary = summarizeRules(
    [
      { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] },
      { verbs: ["create"], apiGroups: ["kubeflow.org"], resources: ["pytorchjobs"] },
      { verbs: ["delete"], apiGroups: ["batch"], resources: ["jobs"], resourceNames: ["only-this-one"] },
      { verbs: ["*"], apiGroups: ["*"], resources: ["*/status"] },
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] },
    ],
    false,
  );

  it("answers by verb, resource and group, with wildcards", () => {
    expect(summary.can("list", "pods")).toBe(true);
    expect(summary.can("get", "pods/log", "")).toBe(true);
    expect(summary.can("delete", "pods")).toBe(false);
    expect(summary.can("create", "pytorchjobs", "kubeflow.org")).toBe(true);
    expect(summary.can("create", "pytorchjobs")).toBe(false);
    expect(summary.can("patch", "jobs/status", "batch")).toBe(true);
    expect(summary.can("patch", "jobs", "batch")).toBe(false);
    expect(summary.incomplete).toBe(false);
  });

  it("does not count rules limited to named objects as a general permission", () => {
    expect(summary.can("delete", "jobs", "batch")).toBe(false);
  });

  it("says when the review was incomplete", () => {
    expect(summarizeRules([], true).incomplete).toBe(true);
    expect(summarizeRules([], true).can("get", "pods")).toBe(false);
  });
});
