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
export function registerCommand(services: Services, id: string, handler: CommandHandler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      await handler(services, ...args);
    } catch (error) {
      reportFailure(services, id, error);
    }
  });
}

export function reportFailure(services: Services, id: string, error: unknown): void {
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
  void vscode.window.showErrorMessage(message, "Show Details").then((choice) => {
    if (choice) services.output.show(true);
  });
}
