import * as vscode from "vscode";
import type { Services } from "../../services/container";

export interface ProgressReporter {
  /** Shows `line` in the notification and appends it to the output channel. */
  print(line: string): void;
  signal: AbortSignal;
}

/**
 * A cancellable progress notification: its Cancel aborts `signal`, which the targets honour (the
 * build stops, the container is stopped and removed).
 */
export function withCancellableProgress<T>(
  services: Services,
  title: string,
  task: (progress: ProgressReporter) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await task({
            signal: controller.signal,
            print: (line) => {
              services.log(line);
              const message = line.trim().split("\n")[0];
              if (message) progress.report({ message });
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    ),
  );
}
