import * as vscode from "vscode";
import type { Deployed, DeployRequest } from "../../app";
import type { SessionContext } from "../../app/context";
import type { RunRef } from "../../app/store";
import { CancelledError, ParityError } from "../../core/errors";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";
import { openManifest } from "../cluster/showManifest";
import { confirmUnschedulable, onCluster, podQuestion } from "../run/runOnCluster";
import { withCancellableProgress } from "../support/progress";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { announceDeployed, deployConfirmed } from "./clusterDeploy";

/**
 * Parity: Deploy Model to the Cluster (KServe) — the model of the notebook's last succeeded run as a
 * KServe InferenceService in the window's context and namespace (as Run on Cluster places work),
 * its serving image pushed with the registry credentials the window keeps. What is there is read
 * first (a dry run changes nothing): an endpoint already serving asks whether the new model
 * replaces its own or goes beside it as a canary, and with which share. A predictor that would not
 * schedule is deployed only if the user says so; a protected namespace takes the endpoint's name
 * typed. The progress follows the build, the push and KServe until it serves; its Cancel stops the
 * build, or stops waiting (KServe goes on with what was applied). The end says where it serves and
 * KServe's own notes: a share it does not route is said not to be routed.
 */
export async function deployModelToCluster(services: Services, arg?: unknown): Promise<void> {
  requireTrust("deploy");
  const file = notebookFor(services, arg, "deploy the model of");
  const notebook = fileName(file);
  if (services.activeRuns.all().some((run) => run.kind === "endpoint" && run.notebookFile === file)) {
    throw new ParityError(
      "EndpointDeploying",
      `The model of ${notebook} is being deployed already in this window.`,
      { fix: "Wait until its progress notification ends, or cancel it." },
    );
  }
  await saveIfDirty(file);
  const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
  let run: RunRef | undefined;
  const deployed = await onCluster(services, app, file, ({ placement, registryCredentials, started }) =>
    withCancellableProgress(
      services,
      `Parity: deploying the model of ${notebook} to the cluster`,
      async (progress) => {
        // Stop on its row in the Endpoints view cancels it as the progress's Cancel does.
        const controller = new AbortController();
        const signal = AbortSignal.any([progress.signal, controller.signal]);
        const active = services.activeRuns.begin(file, () => controller.abort(), "cluster", "endpoint");
        try {
          const context = services.sessionContext(file, signal);
          let submitAnyway = false;
          const request: DeployRequest = {
            source: file,
            placement,
            registryCredentials,
            print: progress.print,
            confirmUnschedulable: async (prediction, manifest) =>
              (submitAnyway ||= await confirmUnschedulable(
                podQuestion(prediction, {
                  what: `the predictor of ${notebook}'s model as it is`,
                  pending: "the endpoint stays",
                }),
                { look: { title: "Show InferenceService", show: () => openManifest(manifest) } },
              )),
            onStart: (ref) => {
              run = ref;
              services.activeRuns.started(active, ref.runId, ref.workspaceDir);
              started(ref);
            },
          };
          progress.print("Reading what the cluster serves ...");
          const change = await changeFor(await planned(app, context, request));
          if (signal.aborted) throw new CancelledError();
          return await deployConfirmed(
            app,
            context,
            { ...request, ...(change.canary === undefined ? {} : { canary: change.canary }) },
            {
              name: change.plan.name,
              what: `${change.canary === undefined ? "Replace the model of" : "Add a canary to"} ${change.plan.name} in ${change.plan.namespace}`,
            },
          );
        } finally {
          services.activeRuns.end(active);
        }
      },
    ),
  );
  announceDeployed(services, deployed, run, panels);
}

/** What deploying would do, by a dry run (nothing is built or changed), and why only a canary may go there. */
interface Plan {
  plan: Deployed;
  /** Set where the endpoint has a canary already: a plain deploy would drop it. */
  canaryOnly?: string;
}

async function planned(app: App, context: SessionContext, request: DeployRequest): Promise<Plan> {
  try {
    return { plan: await app.deployToCluster(context, { ...request, dryRun: true }) };
  } catch (error) {
    if (!(error instanceof ParityError) || error.code !== "CanaryInProgress") throw error;
    // The percentage is the user's to choose: any one shows what a canary would do.
    const plan = await app.deployToCluster(context, { ...request, dryRun: true, canary: 1 });
    return { plan, canaryOnly: error.message };
  }
}

/**
 * A new endpoint takes all traffic; one already serving asks: its model replaced, or this one as a
 * canary beside it with the share it asks for. One with a canary already can only take another.
 */
async function changeFor({ plan, canaryOnly }: Plan): Promise<{ plan: Deployed; canary?: number }> {
  if (plan.action === "created") return { plan };
  const replace = {
    label: "Replace Its Model",
    detail: "The new model takes all of the endpoint's traffic at once.",
    canary: false,
  };
  const canary = {
    label: "Deploy as a Canary",
    detail:
      "The new model goes beside the current one and asks for a share of the traffic; Parity says whether KServe routes it.",
    canary: true,
  };
  const picked = await vscode.window.showQuickPick(canaryOnly ? [canary] : [replace, canary], {
    title: canaryOnly
      ? `${canaryOnly} Deploy this model as its canary instead?`
      : `${plan.name} already serves in ${plan.namespace}: replace its model, or deploy this one as a canary?`,
    ignoreFocusOut: true,
  });
  if (!picked) throw new CancelledError();
  if (!picked.canary) return { plan };
  const percent = await vscode.window.showInputBox({
    title: `Canary of ${plan.name}`,
    prompt:
      "The share of the endpoint's traffic the canary asks for, in percent (1-99). Whether KServe routes it depends on its mode: Parity says so once it is deployed.",
    value: "10",
    ignoreFocusOut: true,
    validateInput: (value) =>
      percentOf(value) === undefined ? "A whole percentage from 1 to 99." : undefined,
  });
  const share = percent === undefined ? undefined : percentOf(percent);
  if (share === undefined) throw new CancelledError();
  return { plan, canary: share };
}

function percentOf(text: string): number | undefined {
  const value = Number(text.trim());
  return /^\d+$/.test(text.trim()) && value >= 1 && value <= 99 ? value : undefined;
}
