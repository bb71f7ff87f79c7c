import type { ParityItem } from "../core/parity";

/** Which item of a notebook's report a fix is asked for: never the edit itself. */
export interface FixRequest {
  notebookFile: string;
  /** The item's place in the stored report, when the caller knows it. */
  index?: number;
  code?: string;
  subject?: string;
}

/**
 * Reads what Apply Fix may take from its argument (an Environment row, or `{notebookFile, index}`):
 * the notebook and the item's identity. Whatever else it carries (an edit, a file) is ignored.
 */
export function fixRequestOf(arg: unknown): FixRequest | undefined {
  if (typeof arg !== "object" || arg === null) return undefined;
  const { notebookFile, index, item } = arg as { notebookFile?: unknown; index?: unknown; item?: unknown };
  if (typeof notebookFile !== "string") return undefined;
  const identity = (typeof item === "object" && item !== null ? item : arg) as {
    code?: unknown;
    subject?: unknown;
  };
  return {
    notebookFile,
    ...(typeof index === "number" && Number.isInteger(index) ? { index } : {}),
    ...(typeof identity.code === "string" ? { code: identity.code } : {}),
    ...(typeof identity.subject === "string" ? { subject: identity.subject } : {}),
  };
}

/**
 * The item of the stored report the request names, when it has an edit: by index (the code must
 * agree, if given), else the one item with that code and subject. Undefined when the report changed.
 */
export function storedFix(items: readonly ParityItem[], request: FixRequest): ParityItem | undefined {
  if (request.index !== undefined) {
    const item = items[request.index];
    const agrees =
      item !== undefined &&
      (request.code === undefined || item.code === request.code) &&
      (request.subject === undefined || item.subject === request.subject);
    return agrees && item.edit ? item : undefined;
  }
  if (request.code === undefined) return undefined;
  const matches = items.filter((item) => item.code === request.code && item.subject === request.subject);
  return matches.length === 1 && matches[0]!.edit ? matches[0] : undefined;
}
