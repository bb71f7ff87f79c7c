import * as vscode from "vscode";
import type { ProfileCluster } from "../../app";
import { readRecordOf, type RunRef } from "../../app/store";
import type { Prediction } from "../../core/preflight";
import { registryCredentials as storedCredentials } from "../../services/clusterSecrets";
import { clusterChoice } from "../../services/clusterSettings";
import type { Services } from "../../services/container";
import {
  confirmUnschedulable,
  notable,
  placementFor,
  problemLines,
  type UnschedulableQuestion,
} from "../run/runOnCluster";
import { fileName } from "../support/targets";
import { runPipeline } from "./pipelineRun";

/**
 * Parity: Run Pipeline on Cluster — the pipeline as an Argo Workflow in the chosen context and
 * namespace: its images built here, the permissions and Argo checked and each step's pod predicted
 * before anything is pushed; steps that would not schedule are submitted only if the user says so.
 * Each step's pods are followed as job runs of their own; Cancel deletes the Workflow and its pods.
 */
export async function runPipelineOnCluster(services: Services, arg?: unknown): Promise<void> {
  await runPipeline(services, arg, {
    name: "cluster",
    trust: "deploy",
    action: "run on the cluster as a pipeline",
    where: " on the cluster",
    run: async (app, context, request) => {
      const name = fileName(request.file);
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.file))?.uri.fsPath;
      const profile: ProfileCluster = folder
        ? await app.profileClusterOf(request.file, folder).catch(() => ({}))
        : {};
      const placement = await placementFor(clusterChoice(), profile.cluster?.namespace, name);
      const ended = services.clusterStatus.runStarted();
      try {
        return await app.runPipelineOnCluster(context, {
          ...request,
          placement,
          registryCredentials: await storedCredentials(services.context.secrets, profile.registry),
          confirmUnschedulable: (steps) =>
            confirmUnschedulable(unschedulableSteps(steps, name), {
              // The first button submits nothing: every step's problems were written to the output.
              look: { title: "Show Output", show: async () => services.output.show(true) },
            }),
          onStart: (started) => {
            request.onStart?.(started);
            void showWhere(services, started);
          },
        });
      } finally {
        ended();
      }
    },
  });
}

/**
 * Which steps would not schedule and why, each problem with its fix; steps that would not for the
 * same reasons are named together.
 */
export function unschedulableSteps(
  steps: { name: string; prediction: Prediction }[],
  pipeline: string,
): UnschedulableQuestion {
  const blocked = steps.filter((step) => !step.prediction.schedulable);
  const byProblems = new Map<string, { names: string[]; lines: string[] }>();
  for (const step of blocked) {
    const lines = problemLines(notable(step.prediction));
    const same = byProblems.get(lines.join("\n")) ?? { names: [], lines };
    same.names.push(step.name);
    byProblems.set(lines.join("\n"), same);
  }
  const one = blocked.length === 1;
  const first = blocked.map((step) => notable(step.prediction)[0]?.message).find(Boolean);
  return {
    message: `The cluster cannot schedule the step${one ? "" : "s"} ${blocked.map((step) => step.name).join(", ")} of ${pipeline} as ${one ? "it is" : "they are"}: ${first ?? "no node fits it."}`,
    detail: [
      ...[...byProblems.values()].flatMap(({ names, lines }) => [`${names.join(", ")}:`, ...lines]),
      `Submitted anyway, ${one ? "it stays" : "they stay"} Pending until the cluster changes, and the steps after ${one ? "it" : "them"} wait.`,
    ],
    changes: [],
  };
}

/** The status bar names where the pipeline went, as the record says once it is written. */
async function showWhere(services: Services, run: RunRef): Promise<void> {
  const cluster = (await readRecordOf(run))?.cluster;
  if (cluster) services.clusterStatus.update({ context: cluster.context, namespace: cluster.namespace });
}
