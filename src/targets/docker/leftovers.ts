import type Dockerode from "dockerode";
import { CancelledError } from "../../core/errors";
import type { LogLine } from "../../core/job/types";
import { RUN_LABEL } from "./runLabels";

/** A run's container as the engine lists it, whatever its state. */
export interface RunContainer {
  id: string;
  running: boolean;
  labels: Record<string, string>;
}

/** What a run's container says about how it ended, read before it was removed. */
export interface SettledContainer {
  containerId: string;
  /** It was still running and nobody else would stop it: Parity killed it, as a cancelled run's container is. */
  stoppedByParity: boolean;
  /** Created but never started (its process went away in between): the job never ran, and no time or exit code means anything. */
  neverStarted: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** RFC 3339; undefined when the engine has none (it reports the year 1). */
  startedAt?: string;
  finishedAt?: string;
  /** The engine's own error for the container, if any. */
  error?: string;
  /** Its whole output as the engine kept it, each line once, stdout and stderr in the engine's time order. */
  lines: LogLine[];
}

export interface SettleOptions {
  /** Stop it when it still runs: the process that owned it went away. Otherwise wait for its end. */
  stop: boolean;
  /** Aborted: stop it now (the user cancelled the run). */
  cancel?: AbortSignal;
  /** Aborted: stop waiting and leave the container as it is (CancelledError). */
  detach?: AbortSignal;
}

/** The containers of a run (label dev.parity.run), running or not. */
export async function runContainers(docker: Dockerode, runId: string): Promise<RunContainer[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${RUN_LABEL}=${runId}`] },
  });
  return containers.map((info) => ({
    id: info.Id,
    running: info.State === "running",
    labels: info.Labels ?? {},
  }));
}

/**
 * Brings a container whose run lost its follower to its end: stops it or waits for it, then reads
 * its whole output and its state (exit code, OOMKilled: lost once it is removed), then removes it.
 * Undefined when the container is already gone.
 */
export async function settleContainer(
  docker: Dockerode,
  containerId: string,
  options: SettleOptions,
): Promise<SettledContainer | undefined> {
  const container = docker.getContainer(containerId);
  let stopping: Promise<void> | undefined;
  // Killed, as a cancelled run's container is: a notebook's Python is PID 1, which ignores SIGTERM.
  const stop = (): Promise<void> => (stopping ??= container.kill().then(() => undefined, ignoreGone));
  const onCancel = (): void => void stop().catch(() => undefined);
  options.cancel?.addEventListener("abort", onCancel, { once: true });
  try {
    let state = (await container.inspect()).State;
    const stoppedByParity = state.Running && options.stop;
    if (state.Running) {
      if (stoppedByParity || options.cancel?.aborted) await stop();
      await container.wait({ abortSignal: options.detach });
      state = (await container.inspect()).State;
    }
    const raw = (await container.logs({ stdout: true, stderr: true, timestamps: true })) as unknown as Buffer;
    const settled: SettledContainer = {
      containerId,
      stoppedByParity,
      neverStarted: state.Status === "created" || !engineTime(state.StartedAt),
      exitCode: state.ExitCode,
      oomKilled: Boolean(state.OOMKilled),
      startedAt: engineTime(state.StartedAt),
      finishedAt: engineTime(state.FinishedAt),
      error: state.Error || undefined,
      lines: logLines(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))),
    };
    await removeContainer(docker, containerId);
    return settled;
  } catch (error) {
    if (options.detach?.aborted) throw new CancelledError("Stopped following; the container goes on.");
    if (isGone(error)) return undefined;
    throw error;
  } finally {
    options.cancel?.removeEventListener("abort", onCancel);
  }
}

/** Removes a container that is left over (its run's record is final); one already gone is fine. */
export async function removeContainer(docker: Dockerode, containerId: string): Promise<void> {
  await docker.getContainer(containerId).remove({ force: true, v: true }).catch(ignoreGone);
}

/** The engine's time, or undefined for its "never" (0001-01-01T00:00:00Z). */
function engineTime(time: string | undefined): string | undefined {
  return time && !time.startsWith("0001-") ? time : undefined;
}

function isGone(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

function ignoreGone(error: unknown): void {
  // 304: already stopped; 404: already removed; 409: not running any more.
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== 304 && status !== 404 && status !== 409) throw error;
}

const STREAMS: Record<number, LogLine["stream"] | undefined> = { 1: "stdout", 2: "stderr" };

/**
 * The lines of the engine's multiplexed log (8-byte frame headers: stream, size), read with
 * timestamps: every frame is one log entry "<RFC 3339 time> <text>", and an entry without a final
 * newline (a long line the engine split, or the last one) continues in the next entry of its stream.
 * Lines as the run recorded them: a trailing \r is dropped, as when they were followed live.
 */
export function logLines(raw: Buffer): LogLine[] {
  const lines: (LogLine & { order: number })[] = [];
  const pending: Partial<Record<LogLine["stream"], { text: string; time: number }>> = {};
  const emit = (stream: LogLine["stream"]) => {
    const line = pending[stream];
    if (!line) return;
    delete pending[stream];
    lines.push({ stream, text: line.text.replace(/\r$/, ""), time: line.time, order: lines.length });
  };
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const stream = STREAMS[raw[offset]!];
    const size = raw.readUInt32BE(offset + 4);
    const frame = raw.toString("utf8", offset + 8, Math.min(raw.length, offset + 8 + size));
    offset += 8 + size;
    if (!stream) continue;
    const space = frame.indexOf(" ");
    const time = Date.parse(frame.slice(0, space));
    const text = frame.slice(space + 1);
    const ended = text.endsWith("\n");
    const line = (pending[stream] ??= { text: "", time: Number.isNaN(time) ? 0 : time });
    line.text += ended ? text.slice(0, -1) : text;
    if (ended) emit(stream);
  }
  emit("stdout");
  emit("stderr");
  // The engine's times order the two streams; lines of one stream keep their order.
  return lines
    .sort((a, b) => a.time - b.time || a.order - b.order)
    .map(({ stream, text, time }) => ({ stream, text, time }));
}
