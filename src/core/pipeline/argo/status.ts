import type { StepStatus } from "../types";

/** A node of a Workflow's `status.nodes`, as Argo's controller writes it (the fields Parity reads). */
export interface ArgoNode {
  id: string;
  displayName?: string;
  /** Pod, Retry, DAG, Skipped... */
  type?: string;
  templateName?: string;
  /** Pending, Running, Succeeded, Failed, Error, Skipped, Omitted. */
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface WorkflowObject {
  metadata?: { name?: string; uid?: string; deletionTimestamp?: unknown };
  status?: { phase?: string; message?: string; nodes?: Record<string, ArgoNode> };
}

/** Where a step stands by its nodes: its try's or its retries' node, and how many pods it had. */
export interface ArgoStepNode {
  status: StepStatus;
  /** The controller's words for a node that failed or was left out ("OOMKilled (exit code 137)"). */
  message?: string;
  /** Its pods so far (tries). */
  tries: number;
}

/** How a Workflow ended, from its phase: undefined while it runs. */
export function workflowOutcome(
  workflow: WorkflowObject | undefined,
): { status: "succeeded" | "failed"; reason?: string; message?: string } | undefined {
  const phase = workflow?.status?.phase;
  if (phase === "Succeeded") return { status: "succeeded" };
  if (phase === "Failed" || phase === "Error") {
    return {
      status: "failed",
      reason: phase,
      ...(workflow?.status?.message && { message: workflow.status.message }),
    };
  }
  return undefined;
}

/** A node's phase as a step's status: a pod not started yet is pending, one left out did not run. */
function stepStatusOf(phase: string | undefined): StepStatus {
  switch (phase) {
    case "Running":
      return "running";
    case "Succeeded":
      return "succeeded";
    case "Failed":
    case "Error":
      return "failed";
    case "Skipped":
    case "Omitted":
      return "not-run";
    default:
      return "pending";
  }
}

/**
 * Each step's state by the Workflow's nodes (`templates` maps each template's name to its step):
 * a step with retries has a Retry node over one Pod node per try, whose phase is the step's; a
 * step without has its Pod node; a step its dependencies' failure left out has a Skipped (Omitted)
 * node. A step with no node yet is absent.
 */
export function argoStepNodes(
  workflow: WorkflowObject | undefined,
  templates: Map<string, string>,
): Map<string, ArgoStepNode> {
  const byStep = new Map<string, { retry?: ArgoNode; pods: ArgoNode[]; other?: ArgoNode }>();
  for (const node of Object.values(workflow?.status?.nodes ?? {})) {
    const step = node.templateName !== undefined ? templates.get(node.templateName) : undefined;
    if (step === undefined) continue;
    const entry = byStep.get(step) ?? { pods: [] };
    byStep.set(step, entry);
    if (node.type === "Retry") entry.retry = node;
    else if (node.type === "Pod") entry.pods.push(node);
    // A task its dependencies' failure left out; the DAG's own node is not a step's.
    else if (node.type === "Skipped") entry.other = node;
  }
  const states = new Map<string, ArgoStepNode>();
  for (const [step, { retry, pods, other }] of byStep) {
    const last = [...pods].sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "")).at(-1);
    const node = retry ?? last ?? other;
    if (!node) continue;
    const message = node.message ?? last?.message;
    states.set(step, {
      status: stepStatusOf(node.phase),
      ...(message && { message }),
      tries: pods.length,
    });
  }
  return states;
}
