import { readFile, stat } from "node:fs/promises";
import path from "node:path";

/** Files next to the notebook that hold a request's rows or body, in the order they are looked for. */
export const SAMPLE_FILES = ["rows.json", "request.json"];

/** A sample bigger than this is left to be opened by hand: the editor is for a few rows. */
const MAX_SAMPLE_BYTES = 256 * 1024;

/** The most requests remembered per workspace, one per endpoint name. */
const MAX_REMEMBERED = 50;

export const LAST_REQUESTS_KEY = "parity.endpointRequests";

/** The part of vscode.Memento this needs (the extension's workspaceState). */
export interface RequestMemory {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** The key of an endpoint's remembered request: its workspace and its name. */
export function requestKey(workspaceDir: string, name: string): string {
  return `${workspaceDir}\u0000${name}`;
}

function remembered(memory: RequestMemory): Record<string, string> {
  const value = memory.get(LAST_REQUESTS_KEY);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/**
 * What the request editor starts with: the last request sent to this endpoint from this workspace,
 * else the rows or body in a sample file next to the notebook (rows.json, request.json); undefined
 * when there is neither (the editor shows a placeholder).
 */
export async function sampleRequest(
  memory: RequestMemory,
  key: string,
  notebookFile: string,
): Promise<{ text: string; source: string } | undefined> {
  const last = remembered(memory)[key];
  if (last?.trim()) return { text: last, source: "the last request sent" };
  for (const name of SAMPLE_FILES) {
    const file = path.join(path.dirname(notebookFile), name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_SAMPLE_BYTES) continue;
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text?.trim()) return { text: text.trim(), source: name };
  }
  return undefined;
}

/** Remembers the request last sent to an endpoint, for the next time its panel opens. */
export async function rememberRequest(memory: RequestMemory, key: string, text: string): Promise<void> {
  if (text.length > MAX_SAMPLE_BYTES) return;
  const entries = Object.entries(remembered(memory)).filter(([each]) => each !== key);
  entries.push([key, text]);
  await memory.update(LAST_REQUESTS_KEY, Object.fromEntries(entries.slice(-MAX_REMEMBERED)));
}
