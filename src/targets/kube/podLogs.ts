import { Writable, type Readable } from "node:stream";
import { CoreV1Api, Log } from "@kubernetes/client-node";
import { backoffDelay } from "./backoff";
import type { KubeConnection } from "./connection";
import { LogCursor, splitTimestamp, type LogPosition } from "./logCursor";

export interface FollowLogOptions {
  signal: AbortSignal;
  onLine(line: { time: string; text: string }): void;
  /** Resume after this position (from an earlier follow); lines up to it are not passed on again. */
  since?: LogPosition;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Follows one container's log through `pods/log` (follow, timestamps) until `signal` aborts, the
 * pod is gone, or the stream ends after the container terminated. A stream that drops (an
 * apiserver restart, a proxy timeout) is opened again from the last line's second, with backoff,
 * and the lines already passed on are skipped: nothing lost, nothing repeated.
 */
export async function followPodLogs(
  conn: KubeConnection,
  namespace: string,
  pod: string,
  container: string,
  options: FollowLogOptions,
): Promise<LogPosition | undefined> {
  const cursor = new LogCursor(options.since);
  const log = new Log(conn.config);
  const core = conn.config.makeApiClient(CoreV1Api);
  let failures = 0;
  while (!options.signal.aborted) {
    const sinceTime = cursor.startStream();
    let received = 0;
    const outcome = await streamOnce(log, namespace, pod, container, sinceTime, options.signal, (line) => {
      const parsed = splitTimestamp(line);
      if (!parsed || !cursor.accept(parsed.time)) return;
      received += 1;
      options.onLine(parsed);
    });
    if (options.signal.aborted || outcome === "gone") break;
    if (outcome === "ended" && (await containerTerminated(core, namespace, pod, container))) break;
    failures = received > 0 ? 1 : failures + 1;
    await sleep(backoffDelay(failures, options.backoff), options.signal);
  }
  return cursor.current;
}

type StreamOutcome = "ended" | "dropped" | "gone";

/**
 * How long a `pods/log` request may wait for the API server's answer. A quiet container legitimately
 * sends nothing for a long time once its stream is open; an answer that never comes is a request the
 * API server (or its proxy to the node) lost, and is opened again.
 */
const ANSWER_TIMEOUT_MS = 10_000;

/** One `pods/log` request, line by line; settles when the stream ends, drops or is aborted. */
async function streamOnce(
  log: Log,
  namespace: string,
  pod: string,
  container: string,
  sinceTime: string | undefined,
  signal: AbortSignal,
  onLine: (line: string) => void,
): Promise<StreamOutcome> {
  let buffered = "";
  let settle: (outcome: StreamOutcome) => void = () => undefined;
  const settled = new Promise<StreamOutcome>((resolve) => (settle = resolve));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (buffered + chunk.toString("utf8")).split("\n");
      // A line cut by a dropped stream is not passed on: the next stream sends it whole.
      buffered = lines.pop() ?? "";
      for (const line of lines) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      done();
    },
  });
  sink.on("finish", () => settle("ended"));
  // client-node pipes the response body into the sink but does not pass its errors on: watch the
  // body itself, so a connection closed mid-stream is noticed instead of waiting forever.
  sink.on("pipe", (body: Readable) => {
    body.on("error", () => settle("dropped"));
    body.on("close", () => {
      if (!body.readableEnded) settle("dropped");
    });
  });
  let request: AbortController | undefined;
  const abort = () => {
    request?.abort();
    settle("dropped");
  };
  signal.addEventListener("abort", abort, { once: true });
  let answered = false;
  const unanswered = setTimeout(() => {
    if (!answered) settle("dropped");
  }, ANSWER_TIMEOUT_MS);
  try {
    const asked = log.log(namespace, pod, container, sink, {
      follow: true,
      timestamps: true,
      ...(sinceTime ? { sinceTime } : {}),
    });
    const first = await Promise.race([asked, settled]);
    if (typeof first === "string") {
      // No answer in time (or aborted meanwhile): the late answer's stream is closed when it comes.
      void asked.then(
        (late) => late.abort(),
        () => undefined,
      );
      signal.removeEventListener("abort", abort);
      return first;
    }
    answered = true;
    request = first;
    if (signal.aborted) request.abort();
  } catch (error) {
    signal.removeEventListener("abort", abort);
    return (error as { code?: number }).code === 404 ? "gone" : "dropped";
  } finally {
    clearTimeout(unanswered);
  }
  const outcome = await settled;
  signal.removeEventListener("abort", abort);
  request.abort();
  return outcome;
}

async function containerTerminated(
  core: CoreV1Api,
  namespace: string,
  pod: string,
  container: string,
): Promise<boolean> {
  try {
    const current = await core.readNamespacedPod({ name: pod, namespace });
    const status = current.status?.containerStatuses?.find((s) => s.name === container);
    return Boolean(status?.state?.terminated);
  } catch {
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
