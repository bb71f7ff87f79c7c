import * as vscode from "vscode";
import { describeError, isCancelled, ParityError } from "../../core/errors";
import type { Services } from "../../services/container";
import { userMessage } from "../../services/messages";

export type CommandHandler = (services: Services, ...args: unknown[]) => Promise<void> | void;

/**
 * The one error boundary every command runs in: a ParityError becomes its sentence and fix, any
 * other failure a sentence that points at the output channel, where the details go; a cancelled
 * command says nothing.
 */
export async function runCommand(
  services: Services,
  id: string,
  handler: CommandHandler,
  args: unknown[],
  attempt = 1,
): Promise<void> {
  try {
    await handler(services, ...args);
  } catch (error) {
    reportFailure(services, id, error, {
      attempt,
      retry: () => void runCommand(services, id, handler, args, attempt + 1),
    });
  }
}

/** How a failed command is tried again: the same handler with the same arguments. */
interface Retry {
  /** 1 for the user's own try, then one more for each Retry. */
  attempt: number;
  retry(): void;
}

/** The setting that says where the engine is, for the failures that come from its address. */
const SETTING_OF: Record<string, string> = {
  DockerUnreachable: "parity.docker.host",
  NotDockerEngine: "parity.docker.host",
  DockerHostUnsupported: "parity.docker.host",
  DockerSshUnsupported: "parity.docker.host",
  DockerPermissionDenied: "parity.docker.host",
};

export function reportFailure(services: Services, id: string, error: unknown, again?: Retry): void {
  if (isCancelled(error)) {
    services.log(`${id}: cancelled.`);
    return;
  }
  const message = userMessage(error);
  if (error instanceof ParityError && error.code === "WorkspaceNotTrusted") {
    services.log(`${id}: refused in Restricted Mode.`);
    void vscode.window.showWarningMessage(message, "Manage Workspace Trust").then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
    });
    return;
  }
  services.log(`${id} failed: ${error instanceof ParityError ? describeError(error) : message}`);
  if (error instanceof Error && !(error instanceof ParityError) && error.stack) services.log(error.stack);
  if (error instanceof ParityError && (error.retryable || SETTING_OF[error.code])) {
    offerNextSteps(services, message, SETTING_OF[error.code], error.retryable ? again : undefined);
    return;
  }
  void vscode.window.showErrorMessage(message, "Show Details").then((choice) => {
    if (choice) services.output.show(true);
  });
}

/**
 * An expected condition (no engine at the address, a setting that names none): the sentence with
 * the next steps as buttons. A retry that fails again says so: the same words would read as if
 * nothing had happened (and VS Code replaces a notification by an identical one).
 */
function offerNextSteps(services: Services, message: string, setting?: string, again?: Retry): void {
  const said = again && again.attempt > 1 ? `Tried ${again.attempt} times: ${message}` : message;
  const buttons = [...(setting ? ["Open Settings"] : []), ...(again ? ["Retry"] : []), "Show Output"];
  void vscode.window.showErrorMessage(said, ...buttons).then((choice) => {
    if (choice === "Open Settings" && setting) void openSetting(setting);
    if (choice === "Retry") again?.retry();
    if (choice === "Show Output") services.output.show(true);
  });
}

/**
 * The Settings editor at one setting, on the tab that holds it: Parity's settings of a program or
 * an address are the machine's (read from user settings only), shown under Remote in a remote
 * window (code-server, SSH) and under User in a local one, never the Workspace tab that Open
 * Settings may pick and where a value is ignored.
 */
function openSetting(setting: string): Thenable<unknown> {
  const command = vscode.env.remoteName
    ? "workbench.action.openRemoteSettings"
    : "workbench.action.openGlobalSettings";
  return vscode.commands.executeCommand(command, { query: setting });
}
