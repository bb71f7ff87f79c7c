import path from "node:path";
import * as vscode from "vscode";
import { fixLines } from "../../core/presentation/fix";
import { namespaceQuestion } from "../../core/cluster/placement";
import { CancelledError } from "../../core/errors";
import type { Diagnosis } from "../../core/diagnosis/types";
import type { Prediction } from "../../core/preflight";
import type { ProfileChange } from "../../core/profile/edit";
import { clusterChoice, currentKubeconfigPresence } from "../../services/clusterSettings";
import {
  registryCredentials as storedCredentials,
  type StoredRegistryCredentials,
} from "../../services/clusterSecrets";
import type { Services } from "../../services/container";
import type { ProfileCluster } from "../../app";
import { readRecordOf, type RunRef } from "../../app/store";
import type { App } from "../../services/app";
import { warnNoCluster } from "../cluster/explainRunOnCluster";
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
  // Nothing says where a cluster is (run before the extension looked, or from the palette): why, and what to do.
  if (!profile.cluster && currentKubeconfigPresence() !== "found") return warnNoCluster();
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
          confirmUnschedulable(
            podQuestion(prediction, { what: `${name} as it is`, pending: "the job stays" }),
            {
              look: { title: "Show Manifest", show: () => openManifest(manifest) },
              profileDir: async () => {
                const found = folder && (await app.findProfileFile(path.dirname(notebookFile), folder));
                return found ? path.dirname(found) : undefined;
              },
            },
          ),
      },
      onStarted: ({ placement }) => {
        if (placement) services.clusterStatus.update(placement);
      },
    });
  } finally {
    ended();
  }
}

/** What the dialog says when the cluster cannot schedule what a run would submit. */
export interface UnschedulableQuestion {
  /** Its first line: what cannot be scheduled, and the first reason. */
  message: string;
  /** The problems with their fixes, and what submitting anyway leads to; a line each. */
  detail: string[];
  /** The changes to parity.yaml that fix it, offered as a button where the caller can apply them. */
  changes: ProfileChange[];
}

/**
 * The question for one pod (a job's, or each trial's of an experiment): its problems, each with its
 * fix. `what` cannot be scheduled ("train.ipynb as it is"); submitted anyway, `pending` ("the job
 * stays") Pending.
 */
export function podQuestion(
  prediction: Prediction,
  words: { what: string; pending: string },
): UnschedulableQuestion {
  const problems = notable(prediction);
  return {
    message: `The cluster cannot schedule ${words.what}: ${problems[0]?.message ?? "no node fits it."}`,
    detail: [
      ...problemLines(problems),
      `Submitted anyway, ${words.pending} Pending until the cluster changes.`,
    ],
    changes: problems.flatMap((problem) => problem.snippet?.changes ?? []),
  };
}

/** What a cluster command adds to the request of the work it sends there (a pipeline, an experiment). */
export interface OnCluster {
  /** The context and namespace, asked where the window's namespace is not the profile's. */
  placement: { context?: string; namespace?: string };
  /** The registry's, kept in SecretStorage. */
  registryCredentials?: StoredRegistryCredentials;
  /** Told once the work's record is written: the status bar names where it went. */
  started(run: RunRef): void;
}

/**
 * A pipeline's or an experiment's way to the cluster, as Run on Cluster's: the profile's cluster
 * section and registry read, the namespace asked where the window's differs from the profile's,
 * the registry credentials from SecretStorage; the status bar says a cluster run is going while
 * `work` runs.
 */
export async function onCluster<T>(
  services: Services,
  app: App,
  file: string,
  work: (given: OnCluster) => Promise<T>,
): Promise<T> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  const profile: ProfileCluster = folder ? await app.profileClusterOf(file, folder).catch(() => ({})) : {};
  const placement = await placementFor(clusterChoice(), profile.cluster?.namespace, fileName(file));
  const ended = services.clusterStatus.runStarted();
  try {
    return await work({
      placement,
      registryCredentials: await storedCredentials(services.context.secrets, profile.registry),
      started: (run) => void showWhere(services, run),
    });
  } finally {
    ended();
  }
}

/** The status bar names where the work went, as its record says once it is written. */
async function showWhere(services: Services, run: RunRef): Promise<void> {
  const cluster = (await readRecordOf(run))?.cluster;
  if (cluster) services.clusterStatus.update({ context: cluster.context, namespace: cluster.namespace });
}

/** The preflight's problems worth a word: its errors and warnings, not its notes. */
export function notable(prediction: Prediction): Diagnosis[] {
  return prediction.problems.filter((problem) => problem.severity !== "info");
}

/** "• the problem" and its fix below it, for a dialog's detail. */
export function problemLines(problems: Diagnosis[]): string[] {
  // A dialog drops leading spaces: the YAML keeps its indentation in no-break spaces.
  return problems.flatMap((problem) => [`• ${problem.message}`, ...fixLines(problem).map(keepIndent)]);
}

/**
 * The question, and the choice: add the fix to parity.yaml (when it is a change to it and the
 * caller can apply it), look (at the manifest, say), submit anyway (it will stay Pending), or stop.
 * VS Code makes the first of these the default button and its own Cancel never is, so the first is
 * one that submits nothing wherever there is one.
 */
export async function confirmUnschedulable(
  question: UnschedulableQuestion,
  actions: {
    look?: { title: string; show(): Promise<void> };
    profileDir?(): Promise<string | undefined>;
  },
): Promise<boolean> {
  const { changes } = question;
  const apply: vscode.MessageItem | undefined =
    changes.length > 0 && actions.profileDir ? { title: "Add the Fix to parity.yaml" } : undefined;
  const look: vscode.MessageItem | undefined = actions.look && { title: actions.look.title };
  const submit: vscode.MessageItem = { title: "Submit Anyway" };
  const cancel: vscode.MessageItem = { title: "Cancel", isCloseAffordance: true };
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      question.message,
      { modal: true, detail: question.detail.join("\n") },
      ...[apply, look].filter((item) => item !== undefined),
      submit,
      cancel,
    );
    if (choice === submit) return true;
    if (choice && choice === look) {
      await actions.look!.show();
      continue;
    }
    if (choice && choice === apply) await addFix(changes, await actions.profileDir!());
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
export async function placementFor(
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
