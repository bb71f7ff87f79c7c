import * as vscode from "vscode";

/**
 * Loads once and keeps what loaded; a failed load is forgotten, so that the next use tries again
 * (a bundle missing while the extension was being updated, say, is there after the update).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

/** The one sentence a failed start of Parity (its host and the bundles it loads) is told in. */
export function startFailureMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // A module that cannot be found adds its require stack on further lines: that goes to the log.
  const firstLine = text.split("\n")[0]!.trim().replace(/\.$/, "");
  return `Parity could not start: ${firstLine}. Reload the window to try again.`;
}

/** Failures already logged: the views asking for rows at once share one failed start. */
const logged = new WeakSet<object>();
/** Failures already shown: several panels restored at once share one failed start too. */
const shown = new WeakSet<object>();

/**
 * Logs a failed start in full, once. The output channel is the host's, which did not start, so the
 * details go to the extension host's log (Output: "Extension Host"). Returns the sentence.
 */
export function logStartFailure(error: unknown): string {
  const message = startFailureMessage(error);
  if (!isObject(error) || !logged.has(error)) {
    if (isObject(error)) logged.add(error);
    console.error(message, error);
  }
  return message;
}

/** Logs a failed start and shows its sentence, once per failure. */
export function showStartFailure(error: unknown): void {
  const message = logStartFailure(error);
  if (isObject(error)) {
    if (shown.has(error)) return;
    shown.add(error);
  }
  void vscode.window.showErrorMessage(message);
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}
