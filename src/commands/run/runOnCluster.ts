import path from "node:path";
import * as vscode from "vscode";
import { fixLines } from "../../core/presentation/fix";
import { namespaceQuestion } from "../../core/cluster/placement";
import { CancelledError } from "../../core/errors";
import type { Prediction } from "../../core/preflight";
import type { ProfileChange } from "../../core/profile/edit";
import { clusterChoice } from "../../services/clusterSettings";
import { registryCredentials as storedCredentials } from "../../services/clusterSecrets";
import type { Services } from "../../services/container";
import type { ProfileCluster } from "../../app";
import { openManifest } from "../cluster/showManifest";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";
import { rerunOptions } from "./rerun";
import { runTracked } from "./trackedRun";

/**
 * Parity: Run on Cluster — the same image and limits as a local run, submitted to the chosen
 * context and namespace: permissions checked and the scheduling predicted before anything is
 * built; a job that would not schedule is submitted only if the user says so. The run is recorded
 * like a local one (target "cluster"), so the Runs view, logs and diagnosis panels follow it.
 * Rerun passes the context and namespace the run went to, and a title that names them.
 */
export async function runOnCluster(services: Services, arg?: unknown, again?: unknown): Promise<void> {
  const rerun = rerunOptions(again);
  requireTrust("deploy");
  const notebookFile = notebookFor(services, arg, "run on the cluster");
  await saveIfDirty(notebookFile);
  const app = await services.app();
  const name = fileName(notebookFile);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile))?.uri.fsPath;
  const profile: ProfileCluster = folder
    ? await app.profileClusterOf(notebookFile, folder).catch(() => ({}))
    : {};
  const registryCredentials = await storedCredentials(services.context.secrets, profile.registry);
  const ended = services.clusterStatus.runStarted();
  try {
    await runTracked(services, notebookFile, {
      title: rerun?.title ?? `Parity: ${name} on the cluster`,
      target: "cluster",
      extras: {
        placement:
          rerun?.placement ?? (await placementFor(clusterChoice(), profile.cluster?.namespace, name)),
        registryCredentials,
        confirmUnschedulable: (prediction, manifest) =>
          confirmUnschedulable(prediction, name, {
            showManifest: () => openManifest(manifest),
            profileDir: async () => {
              const found = folder && (await app.findProfileFile(path.dirname(notebookFile), folder));
              return found ? path.dirname(found) : undefined;
            },
          }),
      },
      onStarted: ({ placement }) => {
        if (placement) services.clusterStatus.update(placement);
      },
    });
  } finally {
    ended();
  }
}

/**
 * The preflight's problems, and the choice: add the fix to parity.yaml (when it is a change to it),
 * look at the manifest, submit anyway (it will stay Pending), or stop. VS Code makes the first of
 * these the default button and its own Cancel never is, so the first is one that submits nothing.
 */
async function confirmUnschedulable(
  prediction: Prediction,
  name: string,
  actions: { showManifest(): Promise<void>; profileDir(): Promise<string | undefined> },
): Promise<boolean> {
  const problems = prediction.problems.filter((problem) => problem.severity !== "info");
  const changes = problems.flatMap((problem) => problem.snippet?.changes ?? []);
  const apply: vscode.MessageItem | undefined =
    changes.length > 0 ? { title: "Add the Fix to parity.yaml" } : undefined;
  const manifest: vscode.MessageItem = { title: "Show Manifest" };
  const submit: vscode.MessageItem = { title: "Submit Anyway" };
  const cancel: vscode.MessageItem = { title: "Cancel", isCloseAffordance: true };
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      `The cluster cannot schedule ${name} as it is: ${problems[0]?.message ?? "no node fits it."}`,
      {
        modal: true,
        detail: [
          // A dialog drops leading spaces: the YAML keeps its indentation in no-break spaces.
          ...problems.flatMap((problem) => [`• ${problem.message}`, ...fixLines(problem).map(keepIndent)]),
          "Submitted anyway, the job stays Pending until the cluster changes.",
        ].join("\n"),
      },
      ...(apply ? [apply] : []),
      manifest,
      submit,
      cancel,
    );
    if (choice === submit) return true;
    if (choice === manifest) {
      await actions.showManifest();
      continue;
    }
    if (choice === apply) await addFix(changes, await actions.profileDir());
    return false;
  }
}

async function addFix(changes: ProfileChange[], profileDir: string | undefined): Promise<void> {
  const panels = await import("../../panels");
  const refusal = profileDir
    ? await panels.applyProfileSnippet(profileDir, changes)
    : "This notebook runs on Parity's default profile, so there is no parity.yaml to change. Create one (Parity: Create Profile), then run it on the cluster again.";
  if (refusal) void vscode.window.showWarningMessage(refusal);
  else
    void vscode.window.showInformationMessage(
      "Parity added the fix to parity.yaml (Edit > Undo in parity.yaml reverts it). Run on Cluster again to submit the job with it.",
    );
}

function keepIndent(line: string): string {
  return line.replace(/^ +/, (spaces) => "\u00a0".repeat(spaces.length));
}

/**
 * The window's context and namespace, except that a namespace selected for browsing the Cluster
 * view that is not the one parity.yaml runs in is used only when the user says so.
 */
async function placementFor(
  choice: { context?: string; namespace?: string },
  profileNamespace: string | undefined,
  name: string,
): Promise<{ context?: string; namespace?: string }> {
  const question = namespaceQuestion(choice.namespace, profileNamespace, name);
  if (!question) return choice;
  const profile: vscode.MessageItem = { title: `Run in ${question.profile} (parity.yaml)` };
  const selected: vscode.MessageItem = { title: `Run in ${question.selected}` };
  const answer = await vscode.window.showWarningMessage(question.message, { modal: true }, profile, selected);
  if (answer === selected) return choice;
  if (answer === profile) return { ...choice, namespace: question.profile };
  throw new CancelledError();
}
