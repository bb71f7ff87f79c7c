import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ParityError } from "../../core/errors";
import { summarizeLatencies, type LatencySummary } from "../../core/serving/latency";
import {
  inferenceRequest,
  readAnswer,
  type InferenceAnswer,
  type InferenceRequest,
} from "../../core/serving/protocol";
import type { InferenceProtocol } from "../../core/serving/types";
import { relativeTo, type SessionContext } from "../context";
import { isEndpointNamed, listEndpoints } from "./endpoints";
import { sampleRows } from "./sample";
import type { RunResult } from "../../core/job/types";

export interface PredictRequest {
  /** A live endpoint's name or run id, or a URL (`http://127.0.0.1:8080`). */
  endpoint: string;
  /** A JSON file: a request body of either protocol, or the rows alone. */
  dataFile?: string;
  /** Rows of the notebook's data instead of a file, where Parity can take a sample (sample.ts). */
  sample?: boolean;
  /** The endpoint's own (its profile's `serving.protocol`) by default. */
  protocol?: InferenceProtocol;
  /** The model's name where a URL is given and the server serves several. */
  model?: string;
  /** Send the request this many times (a short load): the latency distribution and the errors. */
  requests?: number;
  /** How many requests are in flight at once during a load. */
  concurrency?: number;
}

export interface PredictResult {
  url: string;
  model: string;
  protocol: InferenceProtocol;
  request: InferenceRequest;
  /** The first request's answer. */
  answer: InferenceAnswer;
  latencyMs: number;
  /** Over every request sent, where more than one was. */
  load?: LatencySummary;
  /** The first failed answer of the load, if one failed. */
  firstError?: string;
  /** Where the rows came from (the data file, or the sample's file). */
  source?: string;
}

/** Where requests go: an endpoint's URL and model, from its record or asked of the server. */
export interface EndpointAddress {
  url: string;
  model: string;
  protocol: InferenceProtocol;
  /** The endpoint's record, where it was found by name. */
  record?: RunResult;
}

/** Sends the data file's request to an endpoint (once, or `requests` times), timing each answer. */
export async function predict(context: SessionContext, request: PredictRequest): Promise<PredictResult> {
  const address = await addressOf(context, request);
  const protocol = request.protocol ?? address.protocol;
  const { data, source } = await requestData(context, request, address);
  const inference = inferenceRequest(address.model, protocol, data, source);
  return {
    ...(await sendRequests(
      context.signal,
      address.url,
      inference,
      request.requests ?? 1,
      request.concurrency ?? 1,
      address.model,
    )),
    source,
  };
}

/** The rows or body to send: the data file's, or a sample of the notebook's data. */
async function requestData(
  context: SessionContext,
  request: PredictRequest,
  address: EndpointAddress,
): Promise<{ data: unknown; source: string }> {
  if (request.dataFile !== undefined) {
    const source = relativeTo(context, request.dataFile);
    return { data: await readJson(path.resolve(context.cwd, request.dataFile), source), source };
  }
  const sample = address.record && (await sampleRows(context, address.record));
  if (!sample) {
    throw new ParityError(
      "NoSample",
      address.record
        ? `Parity could not take a sample of ${address.model}'s data: its server names no input columns (a Pipeline's, or a model fitted on an array), or no CSV file beside the model or the notebook holds them.`
        : "A sample of the data is taken for an endpoint Parity started (by its name), not for a URL.",
      { fix: "Give the rows with --data <file.json>." },
    );
  }
  return { data: sample.rows, source: sample.source };
}

/** Sends one request `count` times, `concurrency` at once, and reads the first answer and the timing of all. */
export async function sendRequests(
  signal: AbortSignal,
  url: string,
  inference: InferenceRequest,
  count: number,
  concurrency: number,
  model: string,
): Promise<PredictResult> {
  const latencies: number[] = [];
  let errors = 0;
  let first: { answer: InferenceAnswer; latencyMs: number } | undefined;
  let firstError: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && !signal.aborted) {
      next += 1;
      const sent = await sendOnce(signal, url, inference);
      latencies.push(sent.latencyMs);
      first ??= sent;
      if (!sent.answer.ok) {
        errors += 1;
        firstError ??= sent.answer.error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  if (!first) throw new ParityError("Cancelled", "No request was sent.", { fix: "Send it again." });
  return {
    url,
    model,
    protocol: inference.protocol,
    request: inference,
    answer: first.answer,
    latencyMs: first.latencyMs,
    ...(count > 1 ? { load: summarizeLatencies(latencies, errors) } : {}),
    ...(firstError ? { firstError } : {}),
  };
}

async function sendOnce(
  signal: AbortSignal,
  url: string,
  inference: InferenceRequest,
): Promise<{ answer: InferenceAnswer; latencyMs: number }> {
  const body = JSON.stringify(inference.body);
  const started = performance.now();
  try {
    const response = await fetch(`${url.replace(/\/+$/, "")}${inference.path}`, {
      method: "POST",
      // V2's route reads a body without this header as binary tensors.
      headers: { "Content-Type": "application/json" },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]),
    });
    const text = await response.text();
    return {
      answer: readAnswer(inference.protocol, response.status, text),
      latencyMs: performance.now() - started,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    // No answer (the server died under load, a reset, a timeout): a failed request of the load,
    // timed like the others, rather than the whole load lost.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      answer: { ok: false, status: 0, error: `no answer from ${url}: ${why}`, body: undefined },
      latencyMs: performance.now() - started,
    };
  }
}

async function addressOf(context: SessionContext, request: PredictRequest): Promise<EndpointAddress> {
  if (/^https?:\/\//i.test(request.endpoint)) {
    const url = request.endpoint.replace(/\/+$/, "");
    return {
      url,
      model: request.model ?? (await onlyModel(url, context.signal)),
      protocol: request.protocol ?? "v1",
    };
  }
  const live = (await listEndpoints(context)).filter((run) => isEndpointNamed(run, request.endpoint));
  const found = live.find((run) => run.result.endpoint?.url && run.result.status === "running");
  if (!found) {
    throw new ParityError(
      "EndpointNotFound",
      live.length > 0
        ? `The endpoint ${request.endpoint} is not ready yet.`
        : `No endpoint named ${request.endpoint} is serving below ${context.cwd}.`,
      { fix: "parity endpoints lists the endpoints that serve; or give its URL." },
    );
  }
  const endpoint = found.result.endpoint!;
  return {
    url: endpoint.url!,
    model: request.model ?? endpoint.name,
    protocol: endpoint.protocol,
    record: found.result,
  };
}

/** The one model a KServe server at `url` serves (its V1 model list), or a refusal naming them. */
async function onlyModel(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(`${url}/v1/models`, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  }).catch((error: unknown) => {
    throw new ParityError(
      "EndpointUnreachable",
      `The endpoint at ${url} did not answer: ${(error as Error).message}.`,
      {
        fix: "Check the URL and that the endpoint serves.",
      },
    );
  });
  const body = (await response.json().catch(() => ({}))) as { models?: unknown };
  const models = Array.isArray(body.models)
    ? body.models.filter((each): each is string => typeof each === "string")
    : [];
  if (models.length === 1) return models[0]!;
  throw new ParityError(
    "ModelNotNamed",
    models.length === 0
      ? `The server at ${url} did not list its models (GET /v1/models).`
      : `The server at ${url} serves ${models.length} models: ${models.join(", ")}.`,
    { fix: "Name the model with --model." },
  );
}

/** A JSON file, or an error naming the file and the line of the mistake. */
export async function readJson(file: string, source: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ParityError(
      "RequestDataMissing",
      `The request data cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      {
        location: { file: source },
        fix: "Give a JSON file with the request's rows or body.",
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split("\n").length;
    throw new ParityError(
      "RequestDataInvalid",
      `The request data is not valid JSON: ${(error as Error).message}.`,
      {
        location: { file: source, ...(line ? { line } : {}) },
        fix: "Fix the JSON (a list of rows, or a V1 or V2 request body).",
      },
    );
  }
}
