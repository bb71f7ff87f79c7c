import { describe, expect, it } from "vitest";
import type { ParityItem, ParityReport } from "../../../src/core/parity";
import {
  issueNode,
  missingProfileNode,
  notebookNode,
  profileNode,
} from "../../../src/views/environment/environmentModel";
import { governedFolders } from "../../../src/views/environment/profileFolders";
import { lastRun, reportOf, REQUIREMENTS_ONLY } from "../parity/fixtures";

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
const report = (items: ParityItem[], overrides: Partial<ParityReport> = {}): ParityReport =>
  reportOf(items, overrides);

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

  it("names each profile's folder and what it governs, and marks the active notebook's in use", () => {
    const roots = [{ name: "w", path: "/w" }];
    const [root, train] = governedFolders(["/w/parity.yaml", "/w/train/parity.yaml"]);
    expect(profileNode(train!, roots)).toMatchObject({
      label: "parity.yaml",
      description: "train",
      profileFile: "/w/train/parity.yaml",
      contextValue: "parity:profile+file",
    });
    expect(profileNode(root!, roots)).toMatchObject({ description: "w" });
    expect(profileNode(root!, roots).tooltip).toContain(
      "Governs the notebooks in w and the folders below it, except train (it has its own).",
    );
    const inUse = profileNode(train!, roots, "/w/train/train.ipynb");
    expect(inUse).toMatchObject({
      description: "train · in use",
      contextValue: "parity:profile+file+active",
    });
    expect(inUse.tooltip).toContain("train.ipynb runs with this profile.");
  });

  it("says which folder has no profile, for Create Profile", () => {
    const node = missingProfileNode("/w/analysis/explore.ipynb", [{ name: "w", path: "/w" }]);
    expect(node).toMatchObject({
      label: "No profile for analysis",
      notebookFile: "/w/analysis/explore.ipynb",
      contextValue: "parity:profile+missing",
    });
    expect(node.profileFile).toBeUndefined();
    expect(node.tooltip).toContain("Create Profile writes one beside it");
  });

  it("shows a pass only for a report that compared everything, and a failed last run first", () => {
    expect(notebookNode("/w/train.ipynb", { kind: "checked", report: report([]) })).toMatchObject({
      description: "matches production",
      icon: { id: "pass" },
    });
    const partial = notebookNode("/w/train.ipynb", {
      kind: "checked",
      report: report([], { notCompared: [REQUIREMENTS_ONLY] }),
    });
    expect(partial.description).toBe("no mismatches · requirements only");
    expect(partial.icon.id).toBe("info");
    expect(partial.tooltip).toContain("Not compared: image not built yet");

    const failed = notebookNode("/w/train.ipynb", {
      kind: "checked",
      report: report([], {
        lastRun: lastRun({
          status: "failed",
          exitCode: 1,
          diagnosis: [
            {
              code: "PythonException",
              severity: "error",
              message: "ValueError: bad input (raised in cell 3, line 2)",
              fix: "",
            },
          ],
        }),
      }),
    });
    expect(failed.description).toBe("last run failed (ValueError) · matches production");
    expect(failed.icon.id).toBe("error");
    expect(failed.tooltip).toContain("ValueError: bad input (raised in cell 3, line 2)");
  });
});
