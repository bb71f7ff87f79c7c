import { open, readdir } from "node:fs/promises";
import path from "node:path";
import type { RunResult } from "../../core/job/types";
import { routesFor } from "../../core/serving/protocol";
import { rowsFromCsv } from "../../core/serving/sample";
import { relativeTo, type SessionContext } from "../context";

/** Rows of the notebook's data to send, and where they came from. */
export interface SampleRows {
  rows: Record<string, number | string>[];
  /** "outputs/iris.csv (its first 3 rows, the model's 4 columns)". */
  source: string;
  columns: string[];
}

/** How much of a CSV file is read for its first rows. */
const HEAD_BYTES = 64 * 1024;
const DEPTH = 2;

/**
 * A sample of the data the model was trained on, where Parity can take one: the model's columns
 * as its server says them (V2 model metadata, GET /v2/models/<name>: the columns a scikit-learn
 * estimator was fitted on), and the first rows of a CSV file beside the model (the run's outputs)
 * or the notebook that holds those columns. Undefined where either is missing: the user gives rows.
 */
export async function sampleRows(
  context: Pick<SessionContext, "cwd" | "signal">,
  record: RunResult,
  count = 3,
): Promise<SampleRows | undefined> {
  const endpoint = record.endpoint;
  if (!endpoint?.url) return undefined;
  const columns = await modelColumns(endpoint.url, endpoint.name, context.signal);
  if (!columns) return undefined;
  const folders = [...new Set([path.dirname(endpoint.modelFile), path.dirname(record.notebook)])];
  for (const folder of folders) {
    for (const file of await csvFiles(folder, DEPTH)) {
      const rows = rowsFromCsv(await head(file), columns, count);
      if (rows && rows.length > 0) {
        return {
          rows,
          columns,
          source: `${relativeTo(context, file)} (its first ${rows.length} rows, the model's ${columns.length} columns)`,
        };
      }
    }
  }
  return undefined;
}

/** The model's input columns by name, from its V2 metadata; undefined when it names none. */
async function modelColumns(url: string, model: string, signal: AbortSignal): Promise<string[] | undefined> {
  const metadataPath = routesFor(model).v2.replace(/\/infer$/, "");
  const answer = await fetch(`${url}${metadataPath}`, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  })
    .then((response) =>
      response.ok
        ? (response.json() as Promise<{ inputs?: { name?: string; shape?: number[] }[] }>)
        : undefined,
    )
    .catch(() => undefined);
  const inputs = answer?.inputs ?? [];
  // One unnamed tensor ("input-0", shape [-1, n]) names no columns to look for.
  const names = inputs.filter((input) => input.shape?.length === 1).map((input) => input.name ?? "");
  return names.length > 0 && names.every(Boolean) ? names : undefined;
}

async function csvFiles(folder: string, depth: number): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const file = path.join(folder, entry.name);
    if (entry.isFile() && entry.name.toLowerCase().endsWith(".csv")) files.push(file);
    else if (entry.isDirectory() && depth > 0) files.push(...(await csvFiles(file, depth - 1)));
  }
  return files.sort();
}

async function head(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    // A line cut by the read's end is dropped.
    return bytesRead === HEAD_BYTES ? text.slice(0, text.lastIndexOf("\n")) : text;
  } finally {
    await handle.close();
  }
}
