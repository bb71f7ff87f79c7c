import path from "node:path";
import type { RunResult } from "../../core/job/types";
import {
  ENDPOINT_STATE_LABELS,
  endpointState,
  hasCanary,
  trafficWords,
  type EndpointState,
} from "../../core/presentation/endpointStatus";
import { formatDuration } from "../../core/presentation/runStatus";
import { placeSentence } from "../../core/presentation/targets";
import { formatBytes } from "../../core/profile/quantity";
import { lowerBoundOf, type LatencySummary } from "../../core/serving/latency";
import type { EndpointRecord } from "../../core/serving/types";
import type { CanaryChange, CanaryView, EndpointViewState, LoadView } from "../../protocol/endpoint";

export interface EndpointInput {
  runId: string;
  /** The endpoint's record; undefined until it is written. */
  record?: RunResult;
  /** What the request editor starts with. */
  sample?: { text: string; source: string };
  /** Why requests may not be sent from this window (Restricted Mode), if they may not. */
  refusal?: string;
  /** Why the endpoint may not be changed from this window (Restricted Mode), if it may not. */
  changeRefusal?: string;
  /** Promote or Roll Back under way. */
  changing?: CanaryChange;
}

/**
 * What the endpoint panel shows of an endpoint: where it stands, where it answers, what it serves,
 * a cluster endpoint's conditions and canary, and whether a request can be sent. vscode-free, so it
 * is tested on its own.
 */
export function endpointViewState(input: EndpointInput): EndpointViewState {
  const { record } = input;
  const endpoint = record?.endpoint;
  if (!record || !endpoint) {
    return {
      runId: input.runId,
      name: input.runId,
      notebookName: record ? path.basename(record.notebook) : "",
      state: "loading",
      stateLabel: ENDPOINT_STATE_LABELS.loading,
      live: !record,
      facts: [],
      conditions: [],
      problems: [],
      protocols: ["v1", "v2"],
      protocol: "v1",
      canSend: false,
      whyNot: record ? "This record is not an endpoint's." : "Its record is not written yet.",
      note: record ? "This record is not an endpoint's." : "Waiting for the endpoint's record...",
    };
  }
  const state = endpointState(record.status);
  const whyNot = sendRefusal(state, endpoint, input.refusal);
  const traffic = endpoint.cluster?.traffic ?? [];
  return {
    runId: input.runId,
    name: endpoint.name,
    notebookName: path.basename(record.notebook),
    state,
    stateLabel: ENDPOINT_STATE_LABELS[state],
    live: state === "loading" || state === "building",
    ...(endpoint.url ? { url: endpoint.url } : {}),
    facts: factsOf(record, endpoint),
    conditions: (endpoint.cluster?.conditions ?? []).map(({ type, status, reason, message }) => ({
      type,
      status,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    })),
    problems: record.diagnosis
      .filter((item) => item.severity !== "info")
      .map(({ message, fix }) => ({ message, fix })),
    ...(hasCanary(traffic) ? { canary: canaryView(record, state, input, whyNot) } : {}),
    protocols: endpoint.protocols,
    protocol: endpoint.protocol,
    ...(input.sample ? { sample: input.sample } : {}),
    canSend: whyNot === undefined,
    ...(whyNot ? { whyNot } : {}),
  };
}

/**
 * The split, with Promote and Roll Back where they can act (a serving cluster endpoint, a trusted
 * window, no change under way), and the comparison where each revision has a URL of its own.
 */
function canaryView(
  record: RunResult,
  state: EndpointState,
  input: EndpointInput,
  sendWhyNot: string | undefined,
): CanaryView {
  const traffic = record.endpoint?.cluster?.traffic ?? [];
  const actionsWhyNot =
    input.changeRefusal ??
    (record.target !== "cluster"
      ? "Promote and Roll Back act on the canary of an endpoint on a cluster."
      : input.changing
        ? `${input.changing === "promote" ? "Promoting" : "Rolling back"} the canary: wait for KServe.`
        : state !== "serving"
          ? "The endpoint does not serve: its canary can be promoted or rolled back once it does."
          : undefined);
  const ownUrls = traffic.filter((share) => share.url).length;
  const compareWhyNot =
    ownUrls < 2 ? "KServe gives no URL of each revision's own for this endpoint." : sendWhyNot;
  return {
    shares: traffic.map((share) => ({ ...share, words: trafficWords(share) })),
    actions: actionsWhyNot ? { available: false, why: actionsWhyNot } : { available: true },
    ...(input.changing ? { changing: input.changing } : {}),
    compare: compareWhyNot ? { available: false, why: compareWhyNot } : { available: true },
  };
}

function sendRefusal(state: EndpointState, endpoint: EndpointRecord, refusal?: string): string | undefined {
  if (refusal) return refusal;
  switch (state) {
    case "building":
    case "loading":
      return "The endpoint is still loading its model: requests can be sent once it serves.";
    case "stopped":
      return "The endpoint is stopped: deploy the model again (Deploy Model) to send it requests.";
    case "failed":
    case "lost":
      return "The endpoint does not serve any more: its problems and logs say why; deploy the model again once fixed.";
    case "serving":
      return endpoint.url ? undefined : "The endpoint's record has no URL yet.";
  }
}

function factsOf(record: RunResult, endpoint: EndpointRecord): EndpointViewState["facts"] {
  const notebookDir = path.dirname(record.notebook);
  const model = path.relative(notebookDir, endpoint.modelFile);
  const ready =
    endpoint.coldStartMs !== undefined
      ? `${formatDuration(endpoint.coldStartMs)} from the deploy${
          endpoint.buildMs === undefined
            ? ""
            : endpoint.buildMs === 0
              ? " (the serving image was up to date)"
              : `, ${formatDuration(endpoint.buildMs)} of it building the serving image`
        }`
      : undefined;
  const cluster = endpoint.cluster;
  return [
    { label: "Notebook", value: path.basename(record.notebook) },
    {
      label: "Model",
      value: `${model && !model.startsWith("..") ? model : endpoint.modelFile} (${endpoint.modelFormat})${endpoint.fromRun ? `, written by run ${endpoint.fromRun}` : ""}`,
    },
    {
      label: "Runs on",
      value: `${placeSentence(record)}${endpoint.port !== undefined && record.target === "local" ? `, published on 127.0.0.1:${endpoint.port}` : ""}`,
    },
    ...(cluster ? [{ label: "Mode", value: `${cluster.mode} (read from the ${cluster.modeSource})` }] : []),
    ...(cluster?.internalUrl ? [{ label: "In the cluster", value: cluster.internalUrl }] : []),
    { label: "Serving image", value: `${endpoint.servingImage}, built on ${endpoint.runImage}` },
    {
      label: "Server",
      value: `KServe ${endpoint.kserveVersion}, protocols ${endpoint.protocols.map((each) => each.toUpperCase()).join(" and ")}`,
    },
    { label: "Memory limit", value: formatBytes(record.memoryLimitBytes) },
    ...(ready ? [{ label: "Ready in", value: ready }] : []),
    ...(record.startedAt ? [{ label: "Started", value: record.startedAt }] : []),
    ...(record.finishedAt ? [{ label: "Ended", value: record.finishedAt }] : []),
    { label: "Run", value: record.runId },
  ];
}

/** A short load's distribution as the page draws it: the percentiles in words, a labelled bar per bucket. */
export function loadView(summary: LatencySummary, firstError?: string): LoadView {
  const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const buckets = summary.histogram.map((bucket) => {
    const lower = lowerBoundOf(bucket.upToMs);
    const label = bucket.upToMs === Infinity ? `> ${lower} ms` : `${lower}–${bucket.upToMs} ms`;
    return { label, count: bucket.count };
  });
  return {
    requests: summary.requests,
    errors: summary.errors,
    summary: `p50 ${ms(summary.p50Ms)} ms · p90 ${ms(summary.p90Ms)} ms · p99 ${ms(summary.p99Ms)} ms (min ${ms(summary.minMs)}, mean ${ms(summary.meanMs)}, max ${ms(summary.maxMs)})`,
    buckets,
    ...(firstError ? { firstError } : {}),
  };
}
