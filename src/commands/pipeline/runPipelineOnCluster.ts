import type { Prediction } from "../../core/preflight";
import type { Services } from "../../services/container";
import {
  confirmUnschedulable,
  notable,
  onCluster,
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
    run: (app, context, request) =>
      onCluster(services, app, request.file, ({ placement, registryCredentials, started }) =>
        app.runPipelineOnCluster(context, {
          ...request,
          placement,
          registryCredentials,
          confirmUnschedulable: (steps) =>
            confirmUnschedulable(unschedulableSteps(steps, fileName(request.file)), {
              // The first button submits nothing: every step's problems were written to the output.
              look: { title: "Show Output", show: async () => services.output.show(true) },
            }),
          onStart: (run) => {
            request.onStart?.(run);
            started(run);
          },
        }),
      ),
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
