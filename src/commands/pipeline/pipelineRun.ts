import path from "node:path";
import * as vscode from "vscode";
import type { SessionContext } from "../../app/context";
import type { PipelineRunRequest } from "../../app/pipeline/runLocal";
import type { RunRef } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult, TargetName } from "../../core/job/types";
import type { PipelineStepState } from "../../core/pipeline/types";
import { formatDuration } from "../../core/presentation/runStatus";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";
import type { GuardedAction } from "../../services/trust";
import { followHere, leftRunning } from "../support/followHere";
import { withCancellableProgress } from "../support/progress";
import { CANCEL_PIPELINE_WORDS, cancelWhenAborted } from "../support/stopRun";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";

/** Where a pipeline runs: what its command checks first and adds to the request. */
export interface PipelineTarget {
  name: TargetName;
  /** What the workspace must be trusted with. */
  trust: GuardedAction;
  /** What the command does with the file, as a refusal names it ("run as a pipeline"). */
  action: string;
  /** After the pipeline's name in the progress and the announcement: "" or " on the cluster". */
  where: string;
  /** Runs the pipeline through the application layer, with what this target adds to the request. */
  run(app: App, context: SessionContext, request: TargetPipelineRequest): Promise<RunResult>;
}

/** What a pipeline's request carries to its target: the pipeline's, and the window's way to let it go on without it. */
export interface TargetPipelineRequest extends PipelineRunRequest {
  /** Aborted when the window closes: a target whose work outlives the window stops following it. */
  detach: AbortSignal;
}

/**
 * What Run Pipeline Locally and Run Pipeline on Cluster share: one run of a pipeline per window,
 * known to the window before anything is awaited; a progress that says which steps run, whose Cancel
 * (or Cancel Run on the pipeline's row) stops the run as Cancel Run stops a run (local steps'
 * containers at once, a cluster's Workflow deleted once the user confirms: its name typed in a
 * protected namespace); the run graph once the pipeline's record is written; and how it ended, said
 * once. A pipeline whose work outlives the window (an Argo Workflow) is left running when the window
 * closes or reloads, and the next window follows it again.
 */
export async function runPipeline(services: Services, arg: unknown, target: PipelineTarget): Promise<void> {
  requireTrust(target.trust);
  const file = path.resolve(notebookFor(services, arg, target.action));
  const name = fileName(file);
  if (services.activeRuns.all().some((run) => run.kind === "pipeline" && run.notebookFile === file)) {
    throw new ParityError("PipelineRunning", `The pipeline ${name} is already running in this window.`, {
      fix: "Wait for it to end, or stop it with Cancel Run on its running row in the Pipelines view.",
    });
  }
  const followed = followHere(services, file, target.name, "pipeline");
  const { active } = followed;
  let run: RunRef | undefined;
  let started = false;
  try {
    await saveIfDirty(file);
    const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
    const result = await withCancellableProgress(
      services,
      `Parity: pipeline ${name}${target.where}`,
      async ({ signal, print }) => {
        started = true;
        cancelWhenAborted(services, signal, active, {
          words: CANCEL_PIPELINE_WORDS,
          goesOn: `The pipeline ${name} goes on: Cancel Run on its row in the Pipelines view stops it.`,
          command: "parity.cancelPipelineRun",
        });
        const steps = new Map<string, PipelineStepState>();
        let total: number | undefined;
        try {
          return await target.run(app, services.sessionContext(file, followed.cancel), {
            file,
            params: [],
            detach: followed.detach,
            // The build's lines show in the progress; once steps go, the progress says which run.
            print: (line) => (steps.size > 0 ? services.log(line) : print(line)),
            // The pipeline's record is written: the Runs and Pipelines views and the graph follow it.
            onStart: (started) => {
              run = { workspaceDir: started.workspaceDir, runId: started.runId };
              total = started.steps;
              followed.started(run, app);
              panels.showPipelineRunPanel(services.context, run);
            },
            onStep: (state) => {
              steps.set(state.name, state);
              print(stepsProgress([...steps.values()], total));
            },
          });
        } finally {
          services.activeRuns.end(active);
        }
      },
    );
    announce(services, result, `${name}${target.where}`, run, panels);
  } finally {
    // Refused or failed before the progress began (a save, a load): the window forgets it.
    if (!started) services.activeRuns.end(active);
  }
}

/** "Running squares, total · 1 of 4 steps done" */
function stepsProgress(states: PipelineStepState[], total: number | undefined): string {
  const running = states.filter((state) => state.status === "running").map((state) => state.name);
  const done = states.filter((state) => state.status !== "running" && state.status !== "pending").length;
  const doing = running.length > 0 ? `Running ${running.join(", ")}` : "Starting the next steps";
  return `${doing} · ${done}${total ? ` of ${total}` : ""} ${done === 1 && !total ? "step" : "steps"} done`;
}

/** How the pipeline ended, said once; the run graph is a click away. */
function announce(
  services: Services,
  result: RunResult,
  name: string,
  run: RunRef | undefined,
  panels: typeof import("../../panels"),
): void {
  if (leftRunning(services, result)) return;
  const duration = result.durationMs !== undefined ? ` in ${formatDuration(result.durationMs)}` : "";
  services.log(`${result.runId}: pipeline ${result.status}${duration}`);
  if (result.status === "cancelled") return;
  const actions = run ? ["Open Run Graph"] : [];
  const open = (choice: string | undefined): void => {
    if (choice && run) panels.showPipelineRunPanel(services.context, run);
  };
  if (result.status === "succeeded") {
    const cached = (result.steps ?? []).filter((state) => state.status === "cached").length;
    const reused = cached > 0 ? ` (${cached} cached)` : "";
    void vscode.window
      .showInformationMessage(`The pipeline ${name} succeeded${duration}${reused}.`, ...actions)
      .then(open);
    return;
  }
  const why = result.diagnosis[0]?.message ?? "a step did not succeed.";
  void vscode.window.showWarningMessage(`The pipeline ${name} failed: ${why}`, ...actions).then(open);
}
