import * as vscode from "vscode";
import type { RunRef } from "../../app/store";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { formatDuration } from "../../core/presentation/runStatus";
import type { Services } from "../../services/container";
import { withCancellableProgress } from "../support/progress";
import { CANCEL_WORDS, cancelWhenAborted } from "../support/stopRun";
import { fileName, notebookFor, requireTrust, saveIfDirty } from "../support/targets";

/**
 * Parity: Deploy Model — serves the model the notebook's last succeeded run saved, on local Docker
 * as production serves it: KServe's model server in the image the model was trained in, under the
 * profile's serving limits, on 127.0.0.1. The progress follows the build and the model's loading;
 * its Cancel stops either (the container is stopped and removed). Once KServe says the model is
 * ready the endpoint is left serving: it outlives the window, and Stop on its row in the Endpoints
 * view (or parity endpoints stop) ends it.
 */
export async function deployModel(services: Services, arg?: unknown): Promise<void> {
  requireTrust("serve");
  const file = notebookFor(services, arg, "deploy the model of");
  const name = fileName(file);
  if (services.activeRuns.all().some((run) => run.kind === "endpoint" && run.notebookFile === file)) {
    throw new ParityError(
      "EndpointDeploying",
      `The model of ${name} is being deployed already in this window.`,
      {
        fix: "Wait until it serves (the Endpoints view shows it), or cancel its progress notification.",
      },
    );
  }
  await saveIfDirty(file);
  const [panels, app] = await Promise.all([import("../../panels"), services.app()]);
  let run: RunRef | undefined;
  const result = await withCancellableProgress(
    services,
    `Parity: deploying the model of ${name}`,
    async ({ signal, print }) => {
      const controller = new AbortController();
      const active = services.activeRuns.begin(file, () => controller.abort(), "local", "endpoint");
      // Nothing to confirm for a local container: the progress's Cancel stops the build, or the
      // container and its record says cancelled.
      cancelWhenAborted(services, signal, active, {
        words: CANCEL_WORDS,
        goesOn: `The endpoint of ${name} goes on: Stop on its row in the Endpoints view stops it.`,
        command: "parity.stopEndpoint",
      });
      try {
        const started = await app.serveLocally(services.sessionContext(file, controller.signal), {
          source: file,
          detach: true,
          print,
          onReady: (record) =>
            print(
              `Ready: ${record.endpoint?.name} serves at ${record.endpoint?.url}; Parity leaves it serving.`,
            ),
        });
        const { handle } = started;
        run = { workspaceDir: started.source.job.workspaceDir, runId: handle.runId };
        if (controller.signal.aborted) handle.cancel();
        else controller.signal.addEventListener("abort", () => handle.cancel(), { once: true });
        services.activeRuns.started(active, handle.runId, run.workspaceDir);
        print(`Starting ${started.name} (${handle.runId}) on local Docker ...`);
        return await handle.result;
      } finally {
        services.activeRuns.end(active);
      }
    },
  );
  if (run) announce(services, result, name, run, panels);
}

/** How the deployment ended, said once: where it serves, or why it does not. */
function announce(
  services: Services,
  result: RunResult,
  notebook: string,
  run: RunRef,
  panels: typeof import("../../panels"),
): void {
  const endpoint = result.endpoint;
  const model = endpoint?.name ?? "the model";
  if (result.status === "cancelled") {
    services.log(`${result.runId}: the deployment of ${model} was cancelled.`);
    return;
  }
  if (result.status === "running" && endpoint?.url) {
    const took =
      endpoint.coldStartMs !== undefined ? ` (ready in ${formatDuration(endpoint.coldStartMs)})` : "";
    const text = `Endpoint ${endpoint.name} serves the model of ${notebook} at ${endpoint.url}${took}.`;
    services.log(`${result.runId}: ${text}`);
    void vscode.window
      .showInformationMessage(text, "Open Endpoint", "Copy URL", "Deploy to the Cluster")
      .then((choice) => {
        if (choice === "Open Endpoint") panels.showEndpointPanel(services.context, run);
        if (choice === "Copy URL") void vscode.env.clipboard.writeText(endpoint.url!);
        if (choice === "Deploy to the Cluster")
          void vscode.commands.executeCommand(
            "parity.deployModelToCluster",
            vscode.Uri.file(result.notebook),
          );
      });
    return;
  }
  const problem = result.diagnosis.find((item) => item.severity !== "info");
  const why = problem ? `${problem.message} Fix: ${problem.fix}` : `it ended ${result.status}.`;
  services.log(`${result.runId}: the endpoint ${model} of ${notebook} ${result.status}: ${why}`);
  void vscode.window
    .showErrorMessage(
      `The endpoint ${model} of ${notebook} did not start serving: ${why}`,
      "Open Logs",
      "Open Endpoint",
    )
    .then((choice) => {
      if (choice === "Open Logs") panels.showLogsPanel(services.context, run);
      if (choice === "Open Endpoint") panels.showEndpointPanel(services.context, run);
    });
}
