import { diagnoseEndpoint } from "../../core/serving/diagnosis";
import type { JobLimits, RunHandle, RunResult } from "../../core/job/types";
import { serverArgs } from "../../core/serving/image";
import { routesFor } from "../../core/serving/protocol";
import { SERVER_HTTP_PORT } from "../../core/serving/types";
import { CancelledError, ParityError } from "../../core/errors";
import type { DockerConnection } from "../../targets/docker/connection";
import { NOTEBOOK_LABEL, RUN_LABEL } from "../../targets/docker/runLabels";
import {
  followServingOutput,
  servingState,
  startServingContainer,
  stopServingContainer,
  answersWithin,
  type FollowedOutput,
  type ServingState,
} from "../../targets/docker/serveContainer";
import { RunOutput } from "../../targets/runOutput";
import { createRunHandle, type RunControls } from "../../targets/runHandle";
import type { Print, SessionContext } from "../context";
import { connect } from "../job/session";
import { newRunId, RunRecorder } from "../store/runStore";
import { buildServingImage, ENDPOINT_LABEL, endpointRecordOf, planServing } from "./servingImage";
import { findServingSource, type ServingSource, type SourceRequest } from "./source";
import { stopLiveEndpoints } from "./endpoints";

export interface ServeRequest extends SourceRequest {
  /** The port on 127.0.0.1; a free one when absent. */
  port?: number;
  /** Leave the endpoint serving once it is ready; otherwise it serves until cancelled. */
  detach?: boolean;
  verbose?: boolean;
  print: Print;
  /** Called once the endpoint answers, with its record. */
  onReady?(record: RunResult): void;
}

/** How often readiness is asked, and how often the wait is reported. */
const READY_POLL_MS = 250;
const READY_ASK_MS = 2000;
/** How long a model may take to load before the endpoint is given up (its container stopped). */
const READY_WITHIN_MS = 15 * 60_000;
const WAIT_REPORT_MS = 10_000;

/** A local endpoint being started: its handle (settles when it ends, or once ready when detached). */
export interface StartedEndpoint {
  handle: RunHandle;
  source: ServingSource;
  name: string;
}

/**
 * Serves a notebook's model on local Docker as production would serve it: the serving image built
 * on the run's own image (KServe's model server added, nothing the model needs changed), run under
 * the profile's serving limits, published on 127.0.0.1, ready when KServe's readiness route for the
 * model answers. Its record is an `endpoint` run: logs recorded as a run's, an exit (an OOM at load
 * or under load) diagnosed as a run's.
 */
export async function serveLocally(context: SessionContext, request: ServeRequest): Promise<StartedEndpoint> {
  const clicked = Date.now();
  const { print } = request;
  const connection = await connect(context, print);
  requireLoopbackEngine(connection);
  const source = await findServingSource(context, request, connection);
  const { job } = source;
  const planned = await planServing(context, connection, source, request);
  const { name, limits } = planned;
  const { built, buildMs } = await buildServingImage(context, connection, planned, request);
  // Cancelled while the image was found up to date (a build checks only once it starts).
  if (context.signal.aborted) throw new CancelledError("Cancelled before the endpoint started.");
  const runId = newRunId(`serve-${name}`);
  const endpoint = endpointRecordOf(planned, built.tag, {
    buildMs,
    ...(request.detach ? { detached: true } : {}),
  });
  const record: RunResult = {
    runId,
    kind: "endpoint",
    target: "local",
    status: "pending",
    exitCode: null,
    oomKilled: false,
    image: built.tag,
    notebook: job.notebookFile,
    startedAt: new Date().toISOString(),
    memoryLimitBytes: limits.memoryBytes,
    engine: connection.endpoint,
    diagnosis: [],
    endpoint,
  };
  const handle = createRunHandle(runId, async (controls) => {
    const recorder = await RunRecorder.create(job.workspaceDir, runId);
    try {
      const cancel = recorder.honourCancelRequests(controls.cancel);
      const replaced = await stopLiveEndpoints(context, job.workspaceDir, name, runId);
      for (const other of replaced) print(`Stopped endpoint ${name} of run ${other}: this one replaces it.`);
      return await serveContainer(connection, {
        record,
        limits,
        env: job.profile.profile.env,
        port: request.port,
        detach: Boolean(request.detach),
        clicked,
        recorder,
        controls: { ...controls, cancel },
        print,
        onReady: request.onReady,
      });
    } finally {
      await recorder.release();
    }
  });
  return { handle, source, name };
}

interface ServeOptions {
  record: RunResult;
  limits: JobLimits;
  env: Record<string, string>;
  port?: number;
  detach: boolean;
  clicked: number;
  recorder: RunRecorder;
  controls: RunControls;
  print: Print;
  onReady?(record: RunResult): void;
}

/** Starts the serving container, follows it to ready, then to its end (or leaves it when detached). */
async function serveContainer(connection: DockerConnection, options: ServeOptions): Promise<RunResult> {
  const { docker } = connection;
  const { recorder, controls, print } = options;
  const { cancel, status } = controls;
  let record = options.record;
  const endpoint = record.endpoint!;
  await recorder.save(record);
  status.fire("pending");
  const started = await startServingContainer(docker, {
    image: endpoint.servingImage,
    args: serverArgs(endpoint.name, SERVER_HTTP_PORT),
    env: options.env,
    labels: { [RUN_LABEL]: record.runId, [NOTEBOOK_LABEL]: record.notebook, [ENDPOINT_LABEL]: endpoint.name },
    limits: options.limits,
    containerPort: SERVER_HTTP_PORT,
    hostPort: options.port,
  }).catch(async (error: unknown) => {
    await recorder.save({ ...record, status: "failed", finishedAt: new Date().toISOString() });
    throw error;
  });
  const url = `http://127.0.0.1:${started.port}`;
  record = {
    ...record,
    endpoint: { ...endpoint, url, port: started.port, containerId: started.containerId },
  };
  await recorder.save(record);
  const output = new RunOutput(recorder, controls.logs);
  const followed = await followServingOutput(docker, started.containerId, (line) => output.add(line));
  print(
    `Loading the model in ${endpoint.servingImage} (memory ${Math.round(options.limits.memoryBytes / 2 ** 20)} MiB) ...`,
  );
  const ready = await waitReady(connection, started.containerId, url, endpoint.name, cancel, print);
  if (ready.ended || cancel.aborted)
    return finish(connection, options, record, output, followed, ready.ended);
  const readyAt = new Date();
  record = {
    ...record,
    status: "running",
    endpoint: {
      ...record.endpoint!,
      readyAt: readyAt.toISOString(),
      coldStartMs: readyAt.getTime() - options.clicked,
    },
  };
  await recorder.save(record);
  status.fire("running");
  options.onReady?.(record);
  if (options.detach) {
    // Goes on without this process: its later lines are read from the engine by whoever asks.
    followed.stop();
    await followed.done.catch(() => undefined);
    return record;
  }
  const ended = await waitEnd(connection, started.containerId, cancel);
  return finish(connection, options, record, output, followed, ended);
}

/** Ready once KServe answers for the model; undefined `ended` while it runs. */
async function waitReady(
  { docker }: DockerConnection,
  containerId: string,
  url: string,
  model: string,
  cancel: AbortSignal,
  print: Print,
): Promise<{ ended?: ServingState }> {
  const since = Date.now();
  let reported = since;
  const readyUrl = `${url}${routesFor(model).modelReady}`;
  while (!cancel.aborted) {
    if (Date.now() - since > READY_WITHIN_MS) {
      return {
        ended: {
          running: true,
          exitCode: -1,
          oomKilled: false,
          error: `KServe's server did not say the model was ready within ${READY_WITHIN_MS / 60_000} minutes`,
        },
      };
    }
    const answered = await answersWithin(readyUrl, READY_ASK_MS, cancel);
    if (answered) return {};
    const state = await servingState(docker, containerId);
    if (!state?.running) return { ended: state ?? { running: false, exitCode: -1, oomKilled: false } };
    if (Date.now() - reported >= WAIT_REPORT_MS) {
      reported = Date.now();
      print(`Still loading (${Math.round((reported - since) / 1000)} s) ...`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return {};
}

/**
 * The endpoint is published on the engine's loopback (127.0.0.1): only an engine on this machine
 * (a socket, or a TCP address of this machine) makes that reachable here.
 */
function requireLoopbackEngine(connection: DockerConnection): void {
  const tcp = /^(?:tcp|https?):\/\/\[?([^\]/:]+)\]?/.exec(connection.endpoint)?.[1];
  if (!tcp || ["localhost", "127.0.0.1", "::1"].includes(tcp)) return;
  throw new ParityError(
    "RemoteEngine",
    `The Docker engine is at ${connection.endpoint}, on another machine: an endpoint published on its loopback would not be reachable from here.`,
    {
      fix: "Serve on this machine's engine (unset DOCKER_HOST or the parity.docker.host setting), or deploy to the cluster (parity deploy --target cluster).",
    },
  );
}

/** Waits until the container ends by itself, or the endpoint is cancelled (then it is stopped). */
async function waitEnd(
  { docker }: DockerConnection,
  containerId: string,
  cancel: AbortSignal,
): Promise<ServingState | undefined> {
  const container = docker.getContainer(containerId);
  const stop = (): void => void stopServingContainer(docker, containerId).catch(() => undefined);
  // Cancelled already (as soon as it was ready): the listener would never fire.
  if (cancel.aborted) stop();
  else cancel.addEventListener("abort", stop, { once: true });
  try {
    await container.wait().catch(() => undefined);
  } finally {
    cancel.removeEventListener("abort", stop);
  }
  return servingState(docker, containerId);
}

/** The endpoint's end: stopped on request (cancelled), or exited by itself (failed, diagnosed as a run). */
async function finish(
  connection: DockerConnection,
  options: ServeOptions,
  record: RunResult,
  output: RunOutput,
  followed: FollowedOutput,
  ended: ServingState | undefined,
): Promise<RunResult> {
  const { docker } = connection;
  const { recorder, controls } = options;
  const containerId = record.endpoint!.containerId!;
  const cancelled = controls.cancel.aborted;
  // Still running after the wait for readiness gave up: stopped, and the wait's reason kept.
  const gaveUp = ended?.running === true ? ended.error : undefined;
  if (cancelled || gaveUp) await stopServingContainer(docker, containerId);
  const state = (await servingState(docker, containerId)) ?? ended;
  await followed.done.catch(() => undefined);
  await docker
    .getContainer(containerId)
    .remove({ force: true })
    .catch(() => undefined);
  const finishedAt = state?.finishedAt ?? new Date().toISOString();
  const exitCode = state?.exitCode ?? null;
  const final: RunResult = {
    ...record,
    status: cancelled ? "cancelled" : "failed",
    exitCode: cancelled ? null : exitCode,
    oomKilled: state?.oomKilled ?? false,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(record.startedAt!),
    diagnosis: cancelled
      ? []
      : diagnoseEndpoint({
          exitCode: exitCode ?? -1,
          oomKilled: state?.oomKilled ?? false,
          memoryLimitBytes: record.memoryLimitBytes,
          engineError: gaveUp ?? state?.error,
          logTail: output.tail(),
          wasReady: record.status === "running",
        }),
  };
  await recorder.close();
  await recorder.save(final);
  controls.status.fire(final.status);
  return final;
}
