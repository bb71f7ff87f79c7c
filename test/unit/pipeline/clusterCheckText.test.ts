import { describe, expect, it } from "vitest";
import {
  pipelineClusterCheckPassed,
  pipelineClusterCheckText,
  type PipelineClusterCheck,
} from "../../../src/app/pipeline/clusterCheck";

const unread = {
  code: "PreflightIncomplete",
  severity: "warning" as const,
  message: "Could not check the nodes: you may not list nodes.",
  fix: "Ask a cluster admin for list on nodes.",
};
const check = (over: Partial<PipelineClusterCheck>): PipelineClusterCheck => ({
  pipeline: { name: "files", format: "pipeline-yaml", file: "/w/pipeline.yaml", parameters: [], steps: [] },
  target: {
    context: "dev",
    namespace: "team",
    server: "https://k8s",
    source: {},
  } as PipelineClusterCheck["target"],
  steps: [
    {
      name: "prepare",
      prediction: { schedulable: true, problems: [], fits: [{ role: "main", nodes: ["cpu-1"] }] },
    },
    {
      name: "train",
      prediction: { schedulable: true, problems: [], fits: [{ role: "main", nodes: ["cpu-1"] }] },
    },
  ],
  missing: [],
  argoInstalled: true,
  ...over,
});

describe("pipeline check --target cluster, in words", () => {
  it("fails, saying so, where the cluster has no Argo Workflows", () => {
    const missing = check({ argoInstalled: false });
    expect(pipelineClusterCheckText(missing)).toContain(
      "✗ The cluster does not serve Argo's Workflow (workflows.argoproj.io): Argo Workflows is not installed there.",
    );
    expect(pipelineClusterCheckPassed(missing)).toBe(false);
    // Not asked (not allowed to): not counted against it, the permissions say the rest.
    expect(pipelineClusterCheckPassed(check({ argoInstalled: undefined }))).toBe(true);
  });

  it("says once what it could not read, and that no step's placement was checked", () => {
    const blind = check({
      steps: ["prepare", "train"].map((name) => ({
        name,
        prediction: { schedulable: true, problems: [unread], fits: [{ role: "main", nodes: [] }] },
      })),
    });
    const lines = pipelineClusterCheckText(blind).split("\n");
    expect(lines.filter((line) => line === `! ${unread.message}`)).toHaveLength(1);
    expect(
      lines.filter((line) => /no node could be read: where it would go was not checked\.$/.test(line)),
    ).toHaveLength(2);
  });
});
