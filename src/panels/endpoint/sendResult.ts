import type { PredictResult } from "../../app";
import type { SendResultView } from "../../protocol/endpoint";
import { loadView } from "./endpointView";

/** The most of an answer's body the page shows: a response is for reading, not for downloading. */
const MAX_BODY_CHARS = 100_000;

/** What the page shows of a request's answers. The body is the server's, untrusted: it goes as text. */
export function sendResultView(result: PredictResult): SendResultView {
  const { answer } = result;
  const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body, null, 2);
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
