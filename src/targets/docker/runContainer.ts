import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";
import { CancelledError, ParityError } from "../../core/errors";
import type { JobLimits } from "../../core/job/types";

export type LogStream = "stdout" | "stderr";

export type ContainerLimits = JobLimits;

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  image: string;
  command?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /** "uid[:gid]"; the image's user when absent. */
  user?: string;
  mounts?: Mount[];
  labels?: Record<string, string>;
  limits: ContainerLimits;
  network?: string;
  name?: string;
}

export interface ContainerCallbacks {
  onStarted?: (containerId: string) => void;
  /** One call per complete line, in order within each stream. */
  onLog?: (stream: LogStream, line: string) => void;
  /** Memory in use, from the engine's stats stream. */
  onMemory?: (usageBytes: number) => void;
}

export interface ContainerOutcome {
  containerId: string;
  exitCode: number;
  oomKilled: boolean;
  cancelled: boolean;
  /** Highest memory use the engine reported, where it reported any. */
  peakMemoryBytes?: number;
  startedAt: string;
  finishedAt: string;
  /** The engine's own error for the container (e.g. a missing executable). */
  error?: string;
}

/** The HostConfig that enforces the profile's limits exactly; swap is off, as on a cluster node. */
export function hostConfigFor(spec: ContainerSpec): Dockerode.HostConfig {
  const { limits } = spec;
  const config: Dockerode.HostConfig = {
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    NanoCpus: limits.nanoCpus,
    ShmSize: limits.shmBytes,
    // Structured mounts, not "src:dst:ro" strings, so a path may contain ":" or ",".
    Mounts: (spec.mounts ?? []).map((m) => ({
      Type: "bind" as const,
      Source: m.hostPath,
      Target: m.containerPath,
      ReadOnly: m.readOnly,
    })),
    AutoRemove: false,
  };
  if (spec.network) config.NetworkMode = spec.network;
  if (limits.gpu > 0) {
    config.DeviceRequests = [{ Driver: "nvidia", Count: limits.gpu, Capabilities: [["gpu"]] }];
  }
  return config;
}

/**
 * Runs one container to its end: streams its logs line by line (stdout and stderr apart),
 * follows its memory, inspects it BEFORE removing it (exit code and OOMKilled are lost after),
 * and always removes it. Aborting the signal kills and removes the container.
 */
export async function runContainer(
  docker: Dockerode,
  spec: ContainerSpec,
  callbacks: ContainerCallbacks = {},
  signal?: AbortSignal,
): Promise<ContainerOutcome> {
  if (signal?.aborted) throw new CancelledError();
  const container = await docker
    .createContainer({
      Image: spec.image,
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
      WorkingDir: spec.workingDir,
      User: spec.user,
      Labels: spec.labels,
      name: spec.name,
      HostConfig: hostConfigFor(spec),
      AttachStdout: false,
      AttachStderr: false,
      // dockerode also copies every option into the URL unless told which belong there: the engine
      // refuses a URL over 1 MiB (HTTP 431), so a large env failed there though the body carries it.
      _query: spec.name === undefined ? {} : { name: spec.name },
    } as Dockerode.ContainerCreateOptions)
    .catch((error: unknown) => {
      throw explainEngineError(error, spec);
    });
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    container.kill().catch(() => undefined);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let peak: number | undefined;
  try {
    await container.start();
    callbacks.onStarted?.(container.id);
    if (signal?.aborted) onAbort();
    const logsDone = followLogs(container, callbacks.onLog);
    const stats = await followMemory(container, (usage) => {
      peak = Math.max(peak ?? 0, usage);
      callbacks.onMemory?.(usage);
    });
    const waited = (await container.wait()) as { StatusCode: number; Error?: { Message?: string } | null };
    await logsDone;
    // The engine keeps a stats stream open after the container ends: close it ourselves.
    stats.stop();
    const state = (await container.inspect()).State;
    return {
      containerId: container.id,
      exitCode: state.ExitCode ?? waited.StatusCode,
      oomKilled: Boolean(state.OOMKilled),
      cancelled,
      peakMemoryBytes: peak,
      startedAt: state.StartedAt,
      finishedAt: state.FinishedAt,
      error: state.Error || waited.Error?.Message || undefined,
    };
  } catch (error) {
    if (cancelled) throw new CancelledError();
    throw explainEngineError(error, spec);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

async function followLogs(container: Dockerode.Container, onLog: ContainerCallbacks["onLog"]): Promise<void> {
  const raw = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  const streams: Record<LogStream, PassThrough> = { stdout: new PassThrough(), stderr: new PassThrough() };
  const done = (Object.keys(streams) as LogStream[]).map((name) => splitLines(streams[name], name, onLog));
  container.modem.demuxStream(raw, streams.stdout, streams.stderr);
  await new Promise<void>((resolve) => {
    raw.on("end", resolve);
    raw.on("close", resolve);
    raw.on("error", () => resolve());
  });
  streams.stdout.end();
  streams.stderr.end();
  await Promise.all(done);
}

function splitLines(stream: PassThrough, name: LogStream, onLog: ContainerCallbacks["onLog"]): Promise<void> {
  return new Promise((resolve) => {
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLog?.(name, line.replace(/\r$/, ""));
    });
    stream.on("end", () => {
      if (pending) onLog?.(name, pending);
      resolve();
    });
  });
}

interface StatsMessage {
  memory_stats?: { usage?: number; max_usage?: number };
}

async function followMemory(
  container: Dockerode.Container,
  onUsage: (bytes: number) => void,
): Promise<{ stop(): void }> {
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    stream = (await container.stats({ stream: true })) as NodeJS.ReadableStream & { destroy?: () => void };
  } catch {
    return { stop: () => undefined }; // Stats are a bonus: a container that already ended has none.
  }
  {
    let pending = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const stats = JSON.parse(line) as StatsMessage;
          const usage = Math.max(stats.memory_stats?.max_usage ?? 0, stats.memory_stats?.usage ?? 0);
          if (usage > 0) onUsage(usage);
        } catch {
          // A partial frame; the next one carries the same counters.
        }
      }
    });
    stream.on("error", () => undefined);
  }
  return { stop: () => stream.destroy?.() };
}

function explainEngineError(error: unknown, spec: ContainerSpec): Error {
  const statusCode = (error as { statusCode?: number }).statusCode;
  const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
  if (statusCode === 404 && /image/i.test(message)) {
    return new ParityError("ImageNotFound", `The image ${spec.image} is not in the local Docker engine.`, {
      fix: "Build it first (parity build), or check the image name in parity.yaml.",
    });
  }
  if (/could not select device driver "nvidia"/i.test(message)) {
    return new ParityError(
      "NoGpuRuntime",
      `The profile asks for ${spec.limits.gpu} GPU(s), but this Docker engine has no NVIDIA runtime.`,
      {
        location: { field: "resources.gpu" },
        fix: "Install the NVIDIA Container Toolkit, or run with resources.gpu: 0 locally (the cluster still gets the GPUs).",
      },
    );
  }
  return new ParityError("ContainerFailed", `The Docker engine could not run the container: ${message}`, {
    fix: "Check that the Docker engine is running and the image exists, then try again.",
    cause: error,
  });
}
