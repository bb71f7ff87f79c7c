import { describeError, ParityError } from "../core/errors";

/** A failure as one paragraph (notifications drop line breaks): the sentence, where, and the fix. */
export function userMessage(error: unknown): string {
  if (error instanceof ParityError) {
    return describeError(error)
      .split("\n")
      .map((line) => line.trim())
      .join(" ");
  }
  const reason = error instanceof Error ? error.message : String(error);
  const sentence = /[.!?]$/.test(reason) ? reason : `${reason}.`;
  return `Parity failed unexpectedly: ${sentence} The Parity output channel has the details.`;
}
