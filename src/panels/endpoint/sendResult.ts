import type { PredictResult } from "../../app";
import type { SendResultView } from "../../protocol/endpoint";
import { loadView } from "./endpointView";

/** The most of an answer's body the page shows: a response is for reading, not for downloading. */
const MAX_BODY_CHARS = 100_000;

/** What the page shows of a request's answers. The body is the server's, untrusted: it goes as text. */
export function sendResultView(result: PredictResult): SendResultView {
  const { answer } = result;
  const body =
    answer.body === undefined
      ? ""
      : typeof answer.body === "string"
        ? answer.body
        : JSON.stringify(answer.body, null, 2);
  return {
    request: `${result.protocol.toUpperCase()} POST ${result.url}${result.request.path}`,
    status: answer.status,
    ok: answer.ok,
    latencyMs: result.latencyMs,
    ...(answer.ok && answer.predictions !== undefined
      ? { predictions: cut(JSON.stringify(answer.predictions)) }
      : {}),
    ...(answer.error !== undefined ? { error: answer.error } : {}),
    body: cut(body),
    ...(result.load ? { load: loadView(result.load, result.firstError) } : {}),
  };
}

function cut(text: string): string {
  return text.length > MAX_BODY_CHARS
    ? `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)`
    : text;
}

/**
 * Why a request got no answer at all (status 0: nothing answered at the URL, from this machine), in
 * words; undefined where the server answered, even with an error. An in-cluster address is said to be
 * one: it answers from inside the cluster only.
 */
export function noAnswer(result: PredictResult): string | undefined {
  if (result.answer.status !== 0) return undefined;
  const said = result.answer.error ?? `no answer from ${result.url}`;
  const host = /^https?:\/\/([^/:]+)/i.exec(result.url)?.[1] ?? "";
  const inCluster = /\.svc(\.cluster\.local)?$/i.test(host)
    ? " (an address inside the cluster: it answers there, and from this machine only through a port-forward or proxy)"
    : "";
  return `${said}${inCluster}.`;
}
