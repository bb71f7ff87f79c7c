import path from "node:path";
import * as vscode from "vscode";
import { runRefOfDir, type RunRef, type StoredRun } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { ENDPOINT_STATE_LABELS, endpointState } from "../../core/presentation/endpointStatus";
import { isFinished } from "../../core/workload/status";
import type { Services } from "../../services/container";
import { recordedRuns } from "../../services/runRecords";
import { endpointNodes, isEndpointNode, type EndpointNode } from "../../views/endpoints/endpointsModel";

/** An endpoint as this workspace records it: its record, its folder and its RunRef. */
export interface RecordedEndpoint {
  ref: RunRef;
  result: RunResult;
  dir: string;
}

/**
 * The endpoint a command is about: the clicked row's, as this workspace records it (the row's own
 * fields could say anything); else, from the palette, the one endpoint there is (only live ones
 * when `liveOnly`), the active notebook's, or the one picked. Undefined when the pick is dismissed.
 */
export async function endpointFor(
  services: Services,
  arg: unknown,
  options: { action: string; liveOnly?: boolean },
): Promise<RecordedEndpoint | undefined> {
  const runs = await recordedRuns();
  if (isEndpointNode(arg) && arg.dir) {
    const stored = runs.find((run) => run.dir === arg.dir && run.result.kind === "endpoint");
    if (!stored) {
      throw new ParityError(
        "EndpointNotFound",
        "Parity has no record of this endpoint in the workspace folders.",
        {
          fix: "Pick the endpoint again in the Endpoints view.",
        },
      );
    }
    return recorded(stored);
  }
  if (isEndpointNode(arg)) {
    throw new ParityError(
      "EndpointNotStarted",
      `The endpoint of ${path.basename(arg.notebookFile)} is still building its serving image, so there is nothing to ${options.action} yet.`,
      { fix: "Wait until it appears as Loading or Serving in the Endpoints view." },
    );
  }
  const nodes = endpointNodes(runs, [], (folder) => vscode.workspace.asRelativePath(folder)).filter(
    (node) => !options.liveOnly || (node.record && !isFinished(node.record.status)),
  );
  if (nodes.length === 0) {
    throw new ParityError(
      "NoEndpoints",
      options.liveOnly
        ? `No endpoint serves in this workspace, so there is none to ${options.action}.`
        : `There is no endpoint in this workspace to ${options.action} yet.`,
      {
        fix: "Deploy a notebook's model first: Deploy Model on its toolbar, once a run of it has saved the model.",
      },
    );
  }
  const active = services.activeNotebook.file;
  const mine = nodes.filter((node) => active && path.resolve(node.notebookFile) === path.resolve(active));
  const chosen =
    mine.length === 1 ? mine[0] : nodes.length === 1 ? nodes[0] : await pick(nodes, options.action);
  const stored = chosen && runs.find((run) => run.dir === chosen.dir);
  return stored && recorded(stored);
}

async function pick(nodes: EndpointNode[], action: string): Promise<EndpointNode | undefined> {
  const picked = await vscode.window.showQuickPick(
    nodes.map((node) => ({
      label: node.name,
      description: [
        ENDPOINT_STATE_LABELS[node.state],
        ...(node.record?.endpoint?.url ? [node.record.endpoint.url] : []),
        path.basename(node.notebookFile),
      ].join(" · "),
      node,
    })),
    { title: `Which endpoint to ${action}?` },
  );
  return picked?.node;
}

/** The run id and workspace come from the record's folder, never from what run.json says. */
function recorded(stored: StoredRun): RecordedEndpoint {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const ref = runRefOfDir(stored.dir, folders);
  if (!ref) {
    throw new ParityError(
      "RunFolderUnexpected",
      `The record in ${stored.dir} is not a run folder of this workspace (<folder>/.parity/runs/<run id>).`,
      {
        fix: "Open the folder that holds the endpoint as a workspace folder, or use parity endpoints in a terminal.",
      },
    );
  }
  return { ref, result: stored.result, dir: stored.dir };
}

/** "iris (serving at http://127.0.0.1:49153)" */
export function endpointWords(result: RunResult): string {
  const state = endpointState(result.status);
  const url = result.endpoint?.url;
  return `${result.endpoint?.name ?? result.runId} (${state}${state === "serving" && url ? ` at ${url}` : ""})`;
}
