import * as vscode from "vscode";
import type { Deployed, DeployRequest } from "../../app";
import type { RunRef } from "../../app/store";
import { CancelledError, ParityError } from "../../core/errors";
import { deploymentMessage } from "../../core/presentation/endpointStatus";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";

/**
 * A change to a cluster endpoint, confirmed where its namespace is protected: the application
 * layer refuses with ConfirmationRequired before anything is built or changed, the endpoint's name
 * is asked for (typed exactly), and the change is asked again with it. Backed out of, nothing
 * changed (CancelledError, after saying so).
 */
export async function deployConfirmed(
  app: App,
  context: Parameters<App["deployToCluster"]>[0],
  request: DeployRequest,
  endpoint: { name: string; what: string },
): Promise<Deployed> {
  try {
    return await app.deployToCluster(context, request);
  } catch (error) {
    if (!(error instanceof ParityError) || error.code !== "ConfirmationRequired") throw error;
    const { name } = endpoint;
    const typedName = await vscode.window.showInputBox({
      title: endpoint.what,
      prompt: `${error.message} Type ${name} to confirm.`,
      placeHolder: name,
      ignoreFocusOut: true,
      validateInput: (value) => (value === name ? undefined : `Type ${name} exactly.`),
    });
    if (typedName === undefined) {
      void vscode.window.showInformationMessage(
        `Nothing changed: the endpoint ${name} was left as it is (its name was not typed).`,
      );
      throw new CancelledError();
    }
    return app.deployToCluster(context, { ...request, typedName });
  }
}

/** How a deployment to the cluster ended, said once, with the endpoint's panel a click away. */
export function announceDeployed(
  services: Services,
  deployed: Deployed,
  run: RunRef | undefined,
  panels: typeof import("../../panels"),
): void {
  const { severity, text } = deploymentMessage(deployed);
  services.log(`${deployed.record?.runId ?? deployed.name}: ${text}`);
  const show =
    severity === "error"
      ? vscode.window.showErrorMessage
      : severity === "warning"
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  const actions = run ? ["Open Endpoint"] : [];
  void show(text, ...actions).then((choice) => {
    if (choice === "Open Endpoint" && run) panels.showEndpointPanel(services.context, run);
  });
}
