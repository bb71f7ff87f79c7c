import { lchown, mkdir, readdir } from "node:fs/promises";
import path, { posix, relative } from "node:path";
import { diagnoseRun } from "../../core/diagnosis/diagnose";
import { JOB_USER, WORKSPACE_DIR } from "../../core/build/dockerfile";
import { ranWithoutGpu } from "../../core/diagnosis/gpu";
import { isCancelled, ParityError } from "../../core/errors";
import { gpuLimitEnv } from "../../core/gpu/runtimeEnv";
import { peakAtEnd } from "../../core/job/peakMemory";
import type { HostFolders, JobLimits, LocalJobSpec, RunRecordWriter, RunResult } from "../../core/job/types";
import { TAGGED_OUTPUT_ENV } from "../../core/notebook/taggedOutput";
import { RunOutput } from "../runOutput";
import type { RunControls } from "../runHandle";
import type { DockerConnection } from "./connection";
import { runContainer, type ContainerOutcome, type Mount } from "./runContainer";
import { NOTEBOOK_LABEL, RUN_LABEL } from "./runLabels";

/**
 * Runs a job on local Docker with the profile's limits to its end, writing its record through
 * `recorder` (the store's, which the caller opened) as it goes.
 */
export async function runLocalJob(
  { docker, endpoint }: Pick<DockerConnection, "docker" | "endpoint">,
  job: LocalJobSpec,
  runId: string,
  recorder: RunRecordWriter,
  { cancel: signal, status, logs }: RunControls,
): Promise<RunResult> {
  const base: RunResult = {
    runId,
    kind: "job",
    target: "local",
    status: "running",
    exitCode: null,
    oomKilled: false,
    image: job.image,
    notebook: job.notebookFile,
    startedAt: new Date().toISOString(),
    memoryLimitBytes: job.limits.memoryBytes,
    ...(job.limits.productionGpu && { productionGpu: job.limits.productionGpu }),
    outputsDir: job.outputsDir,
    ...(job.folders.notes.length > 0 && { notes: job.folders.notes }),
    engine: endpoint,
    diagnosis: [],
  };
  await recorder.save(base);
  status.fire("running");
  const onCancel = (): void =>
    void recorder.save({ ...base, cancelRequestedAt: new Date().toISOString() }).catch(() => undefined);
  signal.addEventListener("abort", onCancel, { once: true });
  const output = new RunOutput(recorder, logs);
  let outcome: ContainerOutcome | undefined;
  let withoutGpu = false;
  const run = (limits: JobLimits): Promise<ContainerOutcome> =>
    runContainer(
      docker,
      {
        image: job.image,
        command: job.command,
        // A user that is not the image's own has no home folder there.
        env: {
          ...job.env,
          ...(containerUser() ? { HOME: "/tmp" } : {}),
          ...TAGGED_OUTPUT_ENV,
          ...gpuLimitEnv(job.limits.productionGpu),
        },
        workingDir: posix.join(WORKSPACE_DIR, toPosix(job.workingDir)),
        user: containerUser(),
        mounts: mountsFor(job),
        labels: { [RUN_LABEL]: runId, [NOTEBOOK_LABEL]: job.notebookFile },
        limits,
      },
      { onLog: (line) => output.add(line) },
      signal,
    );
  try {
    await prepareOutputs(job.folders);
    outcome = await run(job.limits).catch((error: unknown) => {
      // No NVIDIA runtime in this engine: the job still runs, without GPUs. Production's GPU stays
      // in its environment, so its runtime says which GPU checks were skipped; the record says it too.
      if (!(error instanceof ParityError) || error.code !== "NoGpuRuntime") throw error;
      withoutGpu = true;
      return run({ ...job.limits, gpu: 0 });
    });
  } catch (error) {
    if (!isCancelled(error)) {
      signal.removeEventListener("abort", onCancel);
      await recorder.close();
      await recorder.save({ ...base, status: "failed", finishedAt: new Date().toISOString() });
      throw error;
    }
  }
  // Stopped here (Ctrl-C, Cancel), or by another process that said so first (Cancel in another window).
  const cancelled =
    signal.aborted ||
    !outcome ||
    outcome.cancelled ||
    (outcome.exitCode !== 0 && (await recorder.cancelRequested?.()) === true);
  const finishedAt = outcome?.finishedAt ?? new Date().toISOString();
  const exitCode = outcome?.exitCode ?? null;
  const peak =
    outcome && peakAtEnd({ oomKilled: outcome.oomKilled, reported: outcome.peak }, job.limits.memoryBytes);
  const final: RunResult = {
    ...base,
    status: cancelled ? "cancelled" : exitCode === 0 && !outcome?.oomKilled ? "succeeded" : "failed",
    exitCode: cancelled ? null : exitCode,
    oomKilled: outcome?.oomKilled ?? false,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(outcome?.startedAt ?? base.startedAt!),
    peakMemoryBytes: peak?.bytes,
    peakMemorySource: peak?.source,
    diagnosis: diagnoseRun({
      exitCode: exitCode ?? -1,
      oomKilled: outcome?.oomKilled ?? false,
      cancelled,
      memoryLimitBytes: job.limits.memoryBytes,
      peakMemoryBytes: peak?.bytes,
      engineError: outcome?.error,
      logTail: output.tail(),
      failure: exitCode !== 0 ? job.explainTraceback?.(output.stderrTail().join("\n")) : undefined,
      distributionFor: job.distributionFor,
      gpu: job.limits.productionGpu,
      shmBytes: job.limits.shmBytes,
    }),
  };
  if (withoutGpu && !cancelled) final.diagnosis.push(ranWithoutGpu(job.limits.gpu, job.limits.productionGpu));
  signal.removeEventListener("abort", onCancel);
  // Every log line is on disk before the record says the run ended: readers stop at that moment.
  await recorder.close();
  await recorder.save(final);
  status.fire(final.status);
  return final;
}

/** The real folders are mounted; the job finds its outputs where the profile names them. */
function mountsFor(job: LocalJobSpec): Mount[] {
  const mounts: Mount[] = [{ hostPath: job.folders.workspace, containerPath: WORKSPACE_DIR, readOnly: true }];
  const outputs = relative(job.workspaceDir, job.outputsDir);
  const inside = !outputs.startsWith("..") && outputs !== "";
  mounts.push({
    hostPath: job.folders.outputs,
    containerPath: inside ? posix.join(WORKSPACE_DIR, toPosix(outputs)) : "/outputs",
    readOnly: false,
  });
  const step = job.folders.stepOutputs;
  if (step) {
    mounts.push({
      hostPath: step,
      containerPath: posix.join(WORKSPACE_DIR, toPosix(relative(job.folders.workspace, step))),
      readOnly: false,
    });
  }
  const metrics = job.folders.metrics;
  if (metrics)
    mounts.push({ hostPath: metrics.hostPath, containerPath: metrics.containerPath, readOnly: false });
  return mounts;
}

/**
 * Files the job writes should belong to the user. A non-root user runs the container as
 * themselves; root keeps the image's non-root user and hands it the outputs folder.
 */
function containerUser(): string | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || uid === 0) return undefined;
  return `${uid}:${gid ?? uid}`;
}

async function prepareOutputs(folders: HostFolders): Promise<void> {
  // Below the project's .parity, made by Parity for this step or trial alone.
  for (const own of [folders.stepOutputs, folders.metrics?.hostPath]) {
    if (!own) continue;
    await mkdir(own, { recursive: true });
    if (process.getuid?.() === 0) await lchown(own, JOB_USER.uid, JOB_USER.uid);
  }
  await mkdir(folders.outputs, { recursive: true });
  // A folder outside the project is someone else's: its owner is theirs to set.
  if (process.getuid?.() !== 0 || !folders.outputsInsideProject) return;
  // The job overwrites its earlier outputs: they must belong to the image's user too.
  await handOver(folders.outputs);
  await lchown(folders.outputs, JOB_USER.uid, JOB_USER.uid);
}

/** Gives a folder's contents to the job's user; a symlink is changed itself, never followed. */
async function handOver(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    await lchown(file, JOB_USER.uid, JOB_USER.uid);
    if (entry.isDirectory()) await handOver(file);
  }
}

function toPosix(path: string): string {
  return path.split(/[\\/]/).join("/");
}
