import type Dockerode from "dockerode";
import { CancelledError } from "../../core/errors";
import type { MeasuredPeak } from "../../core/job/peakMemory";
import type { LogLine } from "../../core/job/types";
import { followContainerOutput } from "./engineLog";
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
  /** Its whole output as the engine kept it, each line once, in the engine's order (see readRunOutput). */
  lines: LogLine[];
  /** The peak the job reported as it ended, if it did. */
  peak?: MeasuredPeak;
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
    // Followed, though it has ended: a stream, read as the live run reads it, not one Buffer of it all.
    const lines: LogLine[] = [];
    const { peak } = await followContainerOutput(container, (line) => void lines.push(line));
    const settled: SettledContainer = {
      containerId,
      stoppedByParity,
      neverStarted: state.Status === "created" || !engineTime(state.StartedAt),
      exitCode: state.ExitCode,
      oomKilled: Boolean(state.OOMKilled),
      startedAt: engineTime(state.StartedAt),
      finishedAt: engineTime(state.FinishedAt),
      error: state.Error || undefined,
      lines,
      ...(peak ? { peak } : {}),
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
