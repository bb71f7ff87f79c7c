import { homedir } from "node:os";
import path from "node:path";
import { WORKSPACE_DIR } from "../../core/build/dockerfile";
import { buildWorkload, jobNameFor } from "../../core/manifests";
import type { Prediction } from "../../core/preflight";
import type { Pipeline } from "../../core/pipeline/types";
import { fixLines } from "../../core/presentation/fix";
import type { AccessCheck } from "../../targets/kube/access";
import {
  connectCluster,
  describeTarget,
  type ClusterTarget,
  type KubeConnection,
} from "../../targets/kube/connection";
import type { JobLimits } from "../../core/job/types";
import type { ClusterSpec } from "../../core/profile/types";
import { clusterFacts, preflight } from "../../targets/kube/preflight";
import type { Print, SessionContext } from "../context";
import { resolveProfileFor } from "../job/load";
import { missingPermissions } from "../targets/cluster/prepare";
import { checkPipelineFile } from "./check";
import { workloadServed } from "../../targets/kube/clusterRun";

export interface PipelineClusterCheck {
  pipeline: Pipeline;
  target: ClusterTarget;
  /** Each step's pod as the scheduler would see it, with its own limits. */
  steps: { name: string; prediction: Prediction }[];
  /** Permissions the user lacks to run the pipeline as a Workflow, one sentence each. */
  missing: string[];
  /** Whether the cluster serves Argo's Workflow (undefined: it could not be asked, e.g. not allowed). */
  argoInstalled?: boolean;
}

/** What running a pipeline as an Argo Workflow needs: the Workflow, and reading its pods, logs and events. */
export function workflowPermissions(namespace: string): AccessCheck[] {
  return [
    ...["create", "delete", "get", "list", "watch"].map((verb) => ({
      verb,
      group: "argoproj.io",
      resource: "workflows",
      namespace,
    })),
    ...["get", "list", "watch"].map((verb) => ({ verb, resource: "pods", namespace })),
    { verb: "get", resource: "pods", subresource: "log", namespace },
    ...["list", "watch"].map((verb) => ({ verb, resource: "events", namespace })),
  ];
}

/**
 * `parity pipeline check --target cluster`: the pipeline checked as `check` does, then each step's
 * pod (the profile's limits, or the step's own) predicted against the cluster's nodes, quotas and
 * limit ranges as a job's is, and the user's permissions for a Workflow. Nothing is built or created.
 */
export async function checkPipelineOnCluster(
  context: SessionContext,
  request: {
    file: string;
    profile?: string;
    placement?: { context?: string; namespace?: string };
    print: Print;
  },
): Promise<PipelineClusterCheck> {
  const pipeline = await checkPipelineFile(context, request.file);
  const profile = await resolveProfileFor(path.dirname(pipeline.file), {
    profileFile: request.profile,
    cwd: context.cwd,
    env: context.env,
  });
  const cluster = await connectPipelineCluster(context, request, profile.profile.cluster);
  const steps = await predictSteps(cluster, pipeline, {
    limits: profile.limits,
    cluster: profile.profile.cluster,
    profileName: profile.name,
    workspaceDir: profile.dir,
  });
  const namespace = cluster.target.namespace;
  const missing = await missingPermissions(cluster, workflowPermissions(namespace));
  const argoInstalled = await argoServed(cluster);
  return { pipeline, target: cluster.target, steps, missing, argoInstalled };
}

/** The cluster a pipeline goes to: the one asked for, else the profile's, else the kubeconfig's; said once. */
export async function connectPipelineCluster(
  context: SessionContext,
  request: { placement?: { context?: string; namespace?: string }; print: Print },
  profileCluster: ClusterSpec | undefined,
): Promise<KubeConnection> {
  const cluster = await connectCluster({
    env: context.env,
    homeDir: context.env.HOME ?? homedir(),
    context: request.placement?.context,
    namespace: request.placement?.namespace,
    profileCluster,
    signal: context.signal,
  });
  request.print(`Cluster:  ${describeTarget(cluster.target)}`);
  return cluster;
}

/**
 * Each step's pod (the profile's limits, or the step's own) predicted against the cluster's
 * nodes, quotas and limit ranges as a job's is; the cluster's facts are read once for every step.
 */
export async function predictSteps(
  cluster: KubeConnection,
  pipeline: Pipeline,
  setting: { limits: JobLimits; cluster?: ClusterSpec; profileName: string; workspaceDir: string },
): Promise<PipelineClusterCheck["steps"]> {
  const namespace = cluster.target.namespace;
  const placement = setting.cluster ?? { nodeSelector: {}, tolerations: [], protected: true };
  const steps: PipelineClusterCheck["steps"] = [];
  const facts = await clusterFacts(cluster.config, namespace);
  for (const step of pipeline.steps) {
    const workload = buildWorkload({
      name: jobNameFor(`${pipeline.name}-${step.name}`),
      namespace,
      image: "parity/preflight",
      command: ["python"],
      env: {},
      workingDir: WORKSPACE_DIR,
      limits: { ...setting.limits, ...step.limits },
      profileName: setting.profileName,
      notebook: path.relative(setting.workspaceDir, pipeline.file).split(path.sep).join("/"),
      // One pod per step: the replicas of a distributed profile are not a pipeline's.
      cluster: { ...placement, distributed: undefined },
    });
    steps.push({ name: step.name, prediction: await preflight(cluster.config, namespace, workload, facts) });
  }
  return steps;
}

/** Whether the cluster serves Argo's Workflow (undefined: it could not be asked, e.g. not allowed). */
export function argoServed(cluster: KubeConnection): Promise<boolean | undefined> {
  return workloadServed(cluster, "Workflow");
}

/** One line per step (would it schedule, and where), each problem with its fix, then the permissions. */
export function pipelineClusterCheckText(check: PipelineClusterCheck): string {
  const lines: string[] = [];
  // What could not be read is the same for every step: said once, after them.
  const incomplete = new Map<string, Prediction["problems"][number]>();
  for (const { name, prediction } of check.steps) {
    const nodes = prediction.fits.flatMap((fit) => fit.nodes);
    if (prediction.schedulable && nodes.length > 0)
      lines.push(`✓ ${name}: would schedule on ${nodes.join(", ")}`);
    else if (prediction.schedulable)
      lines.push(
        `! ${name}: no problem found, but no node could be read: where it would go was not checked.`,
      );
    else lines.push(`✗ ${name}: would not schedule; it would stay Pending.`);
    for (const problem of prediction.problems) {
      if (problem.code === "PreflightIncomplete") {
        incomplete.set(problem.message, problem);
        continue;
      }
      lines.push(
        `  ${problem.severity === "error" ? "✗" : "!"} ${problem.message}`,
        ...fixLines(problem).map((line) => `  ${line}`),
      );
    }
  }
  for (const problem of incomplete.values()) lines.push(`! ${problem.message}`, ...fixLines(problem));
  if (check.argoInstalled === false) {
    lines.push(
      "✗ The cluster does not serve Argo's Workflow (workflows.argoproj.io): Argo Workflows is not installed there.",
      "  Fix: install Argo Workflows on the cluster, or compile the pipeline for its engine (parity pipeline compile --to kfp).",
    );
  }
  if (check.missing.length === 0)
    lines.push(`✓ Allowed to run it as a Workflow in ${check.target.namespace}`);
  for (const sentence of check.missing) lines.push(`✗ ${sentence}`);
  return lines.join("\n");
}

export function pipelineClusterCheckPassed(check: PipelineClusterCheck): boolean {
  return (
    check.steps.every((step) => step.prediction.schedulable) &&
    check.missing.length === 0 &&
    check.argoInstalled !== false
  );
}
