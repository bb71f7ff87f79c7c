import { describe, expect, it } from "vitest";
import { argoStepNodes, workflowOutcome, type ArgoNode } from "../../../src/core/pipeline/argo/status";

// The nodes as Argo's workflow-controller (v3.7) writes them in a Workflow's status: the DAG's own
// node, a Pod node per task without retries, a Retry node over one Pod node per try, and a Skipped
// node (phase Omitted) for a task its dependencies' failure left out.
const templates = new Map([
  ["pipeline", "pipeline-step"],
  ["load", "load"],
  ["squares", "squares"],
  ["report", "report"],
]);

function workflow(phase: string, nodes: ArgoNode[], message?: string) {
  return {
    status: {
      phase,
      ...(message && { message }),
      nodes: Object.fromEntries(nodes.map((node) => [node.id, node])),
    },
  };
}

describe("argoStepNodes", () => {
  it("takes a step's state from its Retry node over its tries, from its Pod node, or from its Skipped node", () => {
    const states = argoStepNodes(
      workflow("Failed", [
        { id: "w", type: "DAG", templateName: "pipeline", phase: "Failed" },
        { id: "w-1", type: "Pod", templateName: "load", displayName: "load", phase: "Succeeded" },
        {
          id: "w-2",
          type: "Retry",
          templateName: "squares",
          displayName: "squares",
          phase: "Failed",
          message: "No more retries left",
        },
        {
          id: "w-3",
          type: "Pod",
          templateName: "squares",
          displayName: "squares(0)",
          phase: "Failed",
          message: "OOMKilled (exit code 137)",
          startedAt: "2026-12-05T06:00:00Z",
        },
        {
          id: "w-4",
          type: "Pod",
          templateName: "squares",
          displayName: "squares(1)",
          phase: "Failed",
          message: "OOMKilled (exit code 137)",
          startedAt: "2026-12-05T06:00:10Z",
        },
        {
          id: "w-5",
          type: "Skipped",
          templateName: "report",
          displayName: "report",
          phase: "Omitted",
          message: "omitted: depends condition not met",
        },
      ]),
      templates,
    );
    expect(Object.fromEntries(states)).toEqual({
      load: { status: "succeeded", tries: 1 },
      squares: { status: "failed", message: "No more retries left", tries: 2 },
      report: { status: "not-run", message: "omitted: depends condition not met", tries: 0 },
    });
    // The DAG's own node is no step's, even where a template of that name is mapped.
    expect(states.has("pipeline-step")).toBe(false);
  });

  it("says a try still running is running, one not started pending, and leaves steps without a node out", () => {
    const states = argoStepNodes(
      workflow("Running", [
        { id: "w-1", type: "Pod", templateName: "load", phase: "Running" },
        { id: "w-2", type: "Retry", templateName: "squares", phase: "Running" },
        {
          id: "w-3",
          type: "Pod",
          templateName: "squares",
          phase: "Pending",
          message: "Unschedulable: 0/4 nodes are available",
        },
      ]),
      templates,
    );
    expect(states.get("load")).toEqual({ status: "running", tries: 1 });
    // The Retry node's phase is the step's; the pod's words explain it.
    expect(states.get("squares")).toEqual({
      status: "running",
      message: "Unschedulable: 0/4 nodes are available",
      tries: 1,
    });
    expect(states.has("report")).toBe(false);
    expect(argoStepNodes(undefined, templates).size).toBe(0);
  });
});

describe("workflowOutcome", () => {
  it("is the Workflow's end by its phase: succeeded, or failed with the controller's words; nothing while it runs", () => {
    expect(workflowOutcome(workflow("Succeeded", []))).toEqual({ status: "succeeded" });
    expect(workflowOutcome(workflow("Failed", [], "child 'w-2' failed"))).toEqual({
      status: "failed",
      reason: "Failed",
      message: "child 'w-2' failed",
    });
    expect(workflowOutcome(workflow("Error", []))).toEqual({ status: "failed", reason: "Error" });
    expect(workflowOutcome(workflow("Running", []))).toBeUndefined();
    expect(workflowOutcome({})).toBeUndefined();
  });
});
