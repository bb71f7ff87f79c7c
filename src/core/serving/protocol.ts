import { ParityError } from "../errors";
import type { InferenceProtocol } from "./types";

/** KServe's routes for one model. */
export function routesFor(model: string): { v1: string; v2: string; ready: string; modelReady: string } {
  const name = encodeURIComponent(model);
  return {
    v1: `/v1/models/${name}:predict`,
    v2: `/v2/models/${name}/infer`,
    ready: "/v2/health/ready",
    modelReady: `/v2/models/${name}/ready`,
  };
}

/** A request ready to send: its path below the endpoint's URL and its JSON body. */
export interface InferenceRequest {
  protocol: InferenceProtocol;
  path: string;
  body: unknown;
  /** How many rows it carries. */
  rows: number;
}

type Row = unknown[] | Record<string, unknown>;

/**
 * The request for `data` as the user gave it (`source` names it in errors): a whole body of
 * either protocol (`{"instances": ...}` for V1, `{"inputs": [{name, shape, datatype, data}]}` for
 * V2), or bare rows (a list of lists, or of records as a DataFrame gives them), which become the
 * protocol's body. A body of the other protocol is refused rather than sent where it cannot work.
 */
export function inferenceRequest(
  model: string,
  protocol: InferenceProtocol,
  data: unknown,
  source: string,
): InferenceRequest {
  const routes = routesFor(model);
  if (Array.isArray(data)) {
    const rows = checkRows(data, source);
    return {
      protocol,
      path: routes[protocol],
      body: protocol === "v1" ? { instances: rows } : v2Body(rows),
      rows: rows.length,
    };
  }
  if (!isRecord(data)) throw badData(source, "it is neither a request body (an object) nor a list of rows");
  const v2 =
    Array.isArray(data.inputs) && data.inputs.every((input) => isRecord(input) && "datatype" in input);
  if (v2) {
    if ((data.inputs as unknown[]).length === 0) throw badData(source, 'its "inputs" list is empty');
    if (protocol === "v1") {
      throw badData(
        source,
        "it is a V2 request (inputs with datatype), and the V1 protocol was asked for",
        "Send it with --protocol v2, or give the rows alone.",
      );
    }
    const first = (data.inputs as Record<string, unknown>[])[0];
    const shape = Array.isArray(first?.shape) ? first.shape : [];
    return { protocol, path: routes.v2, body: data, rows: Number(shape[0] ?? 0) };
  }
  const instances = data.instances ?? data.inputs;
  if (Array.isArray(instances)) {
    const rows = checkRows(instances, source);
    return protocol === "v1"
      ? { protocol, path: routes.v1, body: data, rows: rows.length }
      : { protocol, path: routes.v2, body: v2Body(rows), rows: rows.length };
  }
  throw badData(source, 'it has no "instances" (V1) or "inputs" (V2) list');
}

/**
 * Rows as a V2 request: a list of numbers per row is one tensor of shape [rows, columns]; records
 * are one tensor per column with KServe's `content_type: pd` (a DataFrame on the server's side).
 */
function v2Body(rows: Row[]): unknown {
  if (rows.every(Array.isArray)) {
    const flat = (rows as unknown[][]).flat();
    const width = (rows[0] as unknown[]).length;
    return {
      inputs: [{ name: "input-0", shape: [rows.length, width], datatype: datatypeOf(flat), data: flat }],
    };
  }
  const columns = [...new Set((rows as Record<string, unknown>[]).flatMap((row) => Object.keys(row)))];
  return {
    parameters: { content_type: "pd" },
    inputs: columns.map((column) => {
      const values = (rows as Record<string, unknown>[]).map((row) => row[column]);
      return { name: column, shape: [rows.length], datatype: datatypeOf(values), data: values };
    }),
  };
}

function datatypeOf(values: unknown[]): string {
  if (values.every((value) => typeof value === "boolean")) return "BOOL";
  if (values.every((value) => Number.isInteger(value))) return "INT64";
  if (values.every((value) => typeof value === "number")) return "FP64";
  return "BYTES";
}

function checkRows(rows: unknown[], source: string): Row[] {
  if (rows.length === 0) throw badData(source, "it has no rows");
  const lists = rows.every(Array.isArray);
  const records = rows.every(isRecord);
  if (!lists && !records)
    throw badData(source, "its rows are neither all lists of values nor all records ({column: value})");
  if (records) {
    const columns = new Set((rows as Record<string, unknown>[]).flatMap((row) => Object.keys(row)));
    if (columns.size === 0) throw badData(source, "row 1 has no values");
    const short = rows.findIndex((row) => Object.keys(row as object).length !== columns.size);
    if (short >= 0)
      throw badData(
        source,
        `row ${short + 1} lacks a value for some of the columns (${[...columns].join(", ")})`,
      );
  }
  if (lists) {
    const width = (rows[0] as unknown[]).length;
    if (width === 0) throw badData(source, "row 1 has no values");
    const uneven = rows.findIndex((row) => (row as unknown[]).length !== width);
    if (uneven >= 0)
      throw badData(
        source,
        `row ${uneven + 1} has ${(rows[uneven] as unknown[]).length} values, and row 1 has ${width}`,
      );
  }
  return rows as Row[];
}

/** What an endpoint answered, in either protocol. */
export interface InferenceAnswer {
  ok: boolean;
  status: number;
  /** V1's `predictions`, or V2's outputs' data (the first output's when there is one). */
  predictions?: unknown;
  /** The server's own error text (`{"error": ...}`, FastAPI's `detail`), when it refused. */
  error?: string;
  body: unknown;
}

/** Reads an answer: predictions where it succeeded, the server's own sentence where it did not. */
export function readAnswer(protocol: InferenceProtocol, status: number, text: string): InferenceAnswer {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's page): kept as text.
  }
  const ok = status >= 200 && status < 300;
  if (!ok) {
    const error = isRecord(body)
      ? typeof body.error === "string"
        ? body.error
        : body.detail !== undefined
          ? JSON.stringify(body.detail)
          : JSON.stringify(body)
      : String(text).slice(0, 500);
    return { ok, status, error, body };
  }
  if (!isRecord(body)) return { ok: false, status, error: "the answer is not a JSON object", body };
  if (protocol === "v1") return { ok, status, predictions: body.predictions, body };
  const outputs = Array.isArray(body.outputs) ? body.outputs : [];
  const predictions =
    outputs.length === 1 && isRecord(outputs[0])
      ? outputs[0].data
      : outputs.map((output) => (isRecord(output) ? output.data : output));
  return { ok, status, predictions, body };
}

function badData(source: string, why: string, fix?: string): ParityError {
  return new ParityError("RequestDataInvalid", `The request data is not a request Parity can send: ${why}.`, {
    location: { file: source },
    fix:
      fix ??
      'Give a V1 body ({"instances": [[...], ...]}), a V2 body ({"inputs": [{"name", "shape", "datatype", "data"}]}), or the rows alone ([[5.1, 3.5, 1.4, 0.2], ...] or [{"column": value}, ...]).',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
