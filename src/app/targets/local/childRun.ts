import { cpus, freemem } from "node:os";
import { Emitter } from "../../../core/events";
import type { LocalJobSpec, LogLine, RunRecordWriter, RunResult, RunStatus } from "../../../core/job/types";
import type { HostBudget } from "../../../core/pipeline/schedule";
import type { DockerConnection } from "../../../targets/docker/connection";
import { runLocalJob } from "../../../targets/docker/localRun";
import { RunRecorder } from "../../store/runStore";

/** What a part's record says of the workload it belongs to (`{ parent, step }`, `{ parent, trial }`), and where its outputs are when they are its own. */
export type PartOf = Pick<RunResult, "parent" | "step" | "trial" | "outputsDir">;

/**
 * Runs one part of a workload (a pipeline's step, an experiment's trial) as a job run of its own
 * on local Docker: its own record, which names the workload it is part of, its own logs and
 * diagnosis. Lines reach `onLog` as they are written; `cancel` stops its container.
 */
export async function runChildJob(
  connection: DockerConnection,
  spec: LocalJobSpec,
  runId: string,
  part: PartOf,
  options: { cancel: AbortSignal; onLog?(line: LogLine): void },
): Promise<RunResult> {
  const recorder = await RunRecorder.create(spec.workspaceDir, runId);
  const status = new Emitter<RunStatus>();
  const logs = new Emitter<LogLine>();
  if (options.onLog) logs.event(options.onLog);
  const writer: RunRecordWriter = {
    log: (line) => recorder.log(line),
    save: (result) => recorder.save({ ...result, ...part }),
    close: () => recorder.close(),
    cancelRequested: () => recorder.cancelRequested(),
  };
  try {
    return await runLocalJob(connection, spec, runId, writer, { cancel: options.cancel, status, logs });
  } finally {
    await recorder.release();
    status.dispose();
    logs.dispose();
  }
}

/** The memory and CPUs a workload's parts may share: the engine's, and no more memory than is free here when the engine is this machine. */
export async function hostBudget(connection: DockerConnection): Promise<HostBudget> {
  const info = (await connection.docker.info().catch(() => ({}))) as { MemTotal?: number; NCPU?: number };
  const local = connection.endpoint.startsWith("unix://") || connection.endpoint.startsWith("npipe://");
  const memory = Math.min(
    info.MemTotal ?? Number.POSITIVE_INFINITY,
    local ? freemem() : Number.POSITIVE_INFINITY,
  );
  return {
    memoryBytes: Number.isFinite(memory) ? memory : freemem(),
    nanoCpus: (info.NCPU ?? cpus().length) * 1e9,
  };
}
