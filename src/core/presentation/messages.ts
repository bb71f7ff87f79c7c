import { describeError, ParityError } from "../errors";

/** A failure as one paragraph (notifications drop line breaks): the sentence, where, and the fix. */
export function userMessage(error: unknown): string {
  if (error instanceof ParityError) return oneParagraph(describeError(error));
  const refused = clusterRefusal(error);
  if (refused) return refused;
  const reason = error instanceof Error ? error.message : String(error);
  const sentence = /[.!?]$/.test(reason) ? reason : `${reason}.`;
  return `Parity failed unexpectedly: ${sentence} The Parity output channel has the details.`;
}

/**
 * A Kubernetes API server's 403 that reached a boundary without being turned into a ParityError
 * (client-node's ApiException: a numeric code, the Status object as its body) reads as the refusal
 * it is, with the verb and resource the server names, never as an unexpected failure.
 */
export function clusterRefusal(error: unknown): string | undefined {
  const { code, body } = (error ?? {}) as { code?: unknown; body?: unknown };
  if (code !== 403) return undefined;
  let status = body;
  if (typeof body === "string") {
    try {
      status = JSON.parse(body) as unknown;
    } catch {
      status = undefined;
    }
  }
  const said = (status as { message?: unknown } | undefined)?.message;
  const what =
    typeof said === "string" && said.trim()
      ? `: ${said.trim().replace(/[.\s]+$/, "")}`
      : " the request (403 Forbidden)";
  return `The cluster refused${what}. Ask a cluster admin for a Role that allows it, or choose another namespace.`;
}

function oneParagraph(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trim())
    .join(" ");
}

/** Node's error codes and vscode.FileSystemError's, as the words a user reads. */
const REASONS: Record<string, string> = {
  ENOENT: "it does not exist",
  FileNotFound: "it does not exist",
  EACCES: "permission was denied",
  EPERM: "permission was denied",
  NoPermissions: "permission was denied",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EISDIR: "it is a folder",
  FileIsADirectory: "it is a folder",
  ENOTDIR: "a part of its path is not a folder",
  FileNotADirectory: "a part of its path is not a folder",
  EEXIST: "it exists already",
  FileExists: "it exists already",
  EBUSY: "it is in use",
  EMFILE: "too many files are open",
  Unavailable: "its file system is not available",
};

/** Why an operation failed, as a clause: never a stack trace or "Error: ENOENT: ..." text. */
export function failureReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && REASONS[code]) return REASONS[code];
  const text = error instanceof Error ? error.message : String(error);
  const reason = text
    .replace(/^(\w*Error:\s*)+/, "")
    .replace(/[.\s]+$/, "")
    .trim();
  return reason || "of an unexpected problem";
}

/**
 * What failed, why, and what to do, as one paragraph: "The logs could not be saved: permission
 * was denied. Pick another folder and try again." A ParityError keeps its own sentence and fix
 * (the fix replaces `next`, being the more precise step).
 */
export function failureMessage(what: string, error: unknown, next: string): string {
  if (error instanceof ParityError) {
    const hasFix = error.fix !== undefined || error.details.some((detail) => detail.fix !== undefined);
    return `${what}: ${userMessage(error)}${hasFix ? "" : ` ${next}`}`;
  }
  return `${what}: ${failureReason(error)}. ${next}`;
}
