import type { EndpointState } from "../core/presentation/endpointStatus";
import type { InferenceProtocol } from "../core/serving/types";
import { validate, type Validators } from "./messaging";

/** One revision's share of a cluster endpoint's traffic. Every field is text or a number, never markup. */
export interface TrafficShareView {
  revision: string;
  percent: number;
  tag?: string;
  /** Where this revision alone answers. */
  url?: string;
  /** Whether KServe routes this share of the endpoint's URL to it. */
  applied: boolean;
  /** "20 % · canary · asked for, not routed by KServe" */
  words: string;
}

/** Promote (the canary becomes the stable model) or Roll Back (the stable model takes all traffic). */
export type CanaryChange = "promote" | "rollback";

/** What Promote or Roll Back came to, in a sentence. */
export interface CanaryOutcome {
  ok: boolean;
  message: string;
}

/** A canary's split, with Promote and Roll Back. */
export interface CanaryView {
  shares: TrafficShareView[];
  /** Whether Promote and Roll Back can act here; `why` says why not. */
  actions: { available: boolean; why?: string };
  /** The change under way, while it is: both buttons wait for it. */
  changing?: CanaryChange;
  /**
   * Whether the same request can be sent to each revision at its own URL (a Standard canary's
   * Service, a Knative tag's URL), side by side; `why` says why not.
   */
  compare: { available: boolean; why?: string };
}

/** One revision's answer to a comparison: what it answered, or that it did not. */
export interface RevisionAnswerView {
  revision: string;
  tag?: string;
  url: string;
  result?: SendResultView;
  /** It did not answer (no route to the URL from here, refused, timed out): the sentence. */
  failed?: string;
}

export interface ComparisonAnswer {
  requestId: number;
  /** Nothing was sent (bad JSON, no canary, Restricted Mode): the sentence and its fix. */
  refused?: string;
  answers?: RevisionAnswerView[];
}

export interface EndpointViewState {
  runId: string;
  /** The model's name, the endpoint's. */
  name: string;
  notebookName: string;
  state: EndpointState;
  /** "Serving", "Loading"... */
  stateLabel: string;
  /** Still loading: the page shows it is waiting. */
  live: boolean;
  url?: string;
  /** Label and value rows: where it runs, the model, the image, the limits, how long it took. */
  facts: { label: string; value: string }[];
  /** A cluster endpoint's InferenceService conditions, as KServe wrote them. */
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  /** What went wrong, each with its fix. */
  problems: { message: string; fix: string }[];
  /** Present only where the endpoint's traffic has a canary share. */
  canary?: CanaryView;
  protocols: InferenceProtocol[];
  /** The protocol requests default to (the profile's serving.protocol). */
  protocol: InferenceProtocol;
  /** What the request editor starts with (the last request sent, the notebook's rows.json), and where it came from. */
  sample?: { text: string; source: string };
  /** Whether requests can be sent now; `whyNot` says why not. */
  canSend: boolean;
  whyNot?: string;
  /** Something to say above the facts (the record is not written yet). */
  note?: string;
  error?: string;
}

/** A short load's latency distribution, as the page draws it. */
export interface LoadView {
  requests: number;
  errors: number;
  /** "p50 3.10 ms · p90 4.52 ms · p99 9.80 ms (min 2.01, mean 3.40, max 10.2)" */
  summary: string;
  buckets: { label: string; count: number }[];
  firstError?: string;
}

/** What sending a request gave: the answer of the first, and over a load, the distribution. */
export interface SendResultView {
  /** "V1 POST http://127.0.0.1:49153/v1/models/iris:predict" */
  request: string;
  status: number;
  ok: boolean;
  latencyMs: number;
  /** The predictions as JSON text, where it answered. */
  predictions?: string;
  /** The server's own sentence, where it refused. */
  error?: string;
  /** The answer's body as text (pretty JSON where it is JSON), cut where it is long. */
  body: string;
  load?: LoadView;
}

export interface SendAnswer {
  requestId: number;
  /** Nothing was sent (bad JSON, the endpoint is not serving, Restricted Mode): the sentence and its fix. */
  refused?: string;
  result?: SendResultView;
}

export type EndpointToWebview = {
  state: EndpointViewState;
  answer: SendAnswer;
  /** What Promote or Roll Back said. */
  canaryOutcome: CanaryOutcome;
  comparison: ComparisonAnswer;
};

export interface SendRequest {
  requestId: number;
  /** The request editor's text: rows, or a body of either protocol. */
  text: string;
  protocol: InferenceProtocol;
  /** 1 sends it once; more is a short load. */
  count: number;
  /** Requests in flight at once during a load. */
  concurrency: number;
}

export type EndpointFromWebview = {
  ready: Record<string, never>;
  send: SendRequest;
  openLogs: Record<string, never>;
  copyUrl: Record<string, never>;
  promote: Record<string, never>;
  rollback: Record<string, never>;
  /** The request sent once to each revision at its own URL. */
  compare: SendRequest;
};

/** The most a request editor's text may hold, and the most requests of a load. */
export const MAX_REQUEST_CHARS = 1_000_000;
export const MAX_LOAD_REQUESTS = 10_000;
export const MAX_CONCURRENCY = 64;

const whole = (value: unknown, most: number): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= most ? value : undefined;

const sendRequest = (payload: unknown): SendRequest | undefined => {
  const object = validate.object(payload);
  const requestId = validate.index(object?.requestId);
  const text = validate.string(object?.text, MAX_REQUEST_CHARS);
  const protocol = object?.protocol;
  const count = whole(object?.count, MAX_LOAD_REQUESTS);
  const concurrency = whole(object?.concurrency, MAX_CONCURRENCY);
  if (requestId === undefined || text === undefined || count === undefined || concurrency === undefined)
    return undefined;
  return protocol === "v1" || protocol === "v2"
    ? { requestId, text, protocol, count, concurrency }
    : undefined;
};

export const endpointFromWebview: Validators<EndpointFromWebview> = {
  ready: validate.none,
  send: sendRequest,
  compare: sendRequest,
  openLogs: validate.none,
  copyUrl: validate.none,
  promote: validate.none,
  rollback: validate.none,
};
