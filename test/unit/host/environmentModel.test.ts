import { describe, expect, it } from "vitest";
import type { ParityItem, ParityReport } from "../../../src/core/parity";
import { issueNode, notebookNode, profileNode } from "../../../src/views/environment/environmentModel";

const pinItem: ParityItem = {
  severity: "warning",
  code: "UnpinnedRequirement",
  message: "scikit-learn is not pinned",
  fix: "pin scikit-learn==1.5.2 in requirements.txt",
  subject: "scikit-learn",
  edit: {
    title: "Pin scikit-learn==1.5.2",
    file: "/w/requirements.txt",
    line: 1,
    oldText: "scikit-learn",
    newText: "scikit-learn==1.5.2",
  },
};
const report = (items: ParityItem[]): ParityReport => ({
  items,
  errors: items.filter((item) => item.severity === "error").length,
  warnings: items.filter((item) => item.severity === "warning").length,
  infos: items.filter((item) => item.severity === "info").length,
  compared: {},
});

describe("the Environment view", () => {
  it("marks issues with a fix the editor can apply, by severity", () => {
    const node = issueNode("/w/train.ipynb", pinItem);
    expect(node.contextValue).toBe("parity:issue+warning+fixable");
    expect(node.icon.id).toBe("warning");
    expect(node.tooltip).toContain("Pin scikit-learn==1.5.2");
    expect(node).toMatchObject({ label: "scikit-learn", description: "scikit-learn is not pinned" });
    expect(issueNode("/w/train.ipynb", { ...pinItem, subject: undefined }).label).toBe(
      "scikit-learn is not pinned",
    );
    expect(issueNode("/w/train.ipynb", { ...pinItem, severity: "error", edit: undefined }).contextValue).toBe(
      "parity:issue+error",
    );
  });

  it("summarises the notebook's parity", () => {
    expect(notebookNode("/w/train.ipynb", { kind: "checked", report: report([pinItem]) })).toMatchObject({
      label: "train.ipynb",
      description: "1 mismatch",
      contextValue: "parity:notebook+checked",
    });
    expect(notebookNode("/w/train.ipynb", { kind: "checked", report: report([]) }).description).toBe(
      "matches production",
    );
    expect(notebookNode("/w/train.ipynb", { kind: "unchecked" }).description).toBe("not checked yet");
  });

  it("names the profile relative to the workspace, or says the default is used", () => {
    expect(profileNode("/w/train/parity.yaml", "/w")).toMatchObject({
      label: "parity.yaml",
      description: "train",
    });
    expect(profileNode(undefined, "/w").label).toBe("Default profile");
  });
});
