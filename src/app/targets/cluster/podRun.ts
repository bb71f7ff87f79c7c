import type { V1Pod } from "@kubernetes/client-node";
import { diagnoseClusterRun } from "../../../core/diagnosis/cluster/diagnoseCluster";
import { mergeTimeline } from "../../../core/diagnosis/cluster/timelineOrder";
import { Emitter } from "../../../core/events";
import type {
  JobSpec,
  LogLine,
  RunRecordWriter,
  RunResult,
  RunStatus,
  TimelineEntry,
} from "../../../core/job/types";
import { quantityToBytes } from "../../../core/profile/quantity";
import type { KubeConnection } from "../../../targets/kube/connection";
import { recordedPositions } from "../../../targets/kube/recordedLogs";
import { RecordSaver } from "../../../targets/kube/recordSaver";
import { RunLogs } from "../../../targets/kube/runLogs";
import { RunOutput } from "../../../targets/runOutput";
import type { Print } from "../../context";
import { readRunLogs, RunRecorder, type StoredRun } from "../../store/runStore";
import { runDir } from "../../store/runRef";

/** What kind of pod a part of a workload runs in: which of its containers are the part's, how its lines read. */
export interface PodShape {
  /** The part's own container (the others are the engine's sidecars: Argo's wait, Katib's collector). */
  isMain(container: string): boolean;
  /** Whose logs are followed (default: the main container's). */
  follows?(container: string): boolean;
  /** A followed container's line as the part's log keeps it; undefined leaves it out. */
  logText?(container: string, text: string): string | undefined;
  /** Maps a Python failure back to the notebook, where the caller can. */
  explainTraceback?: JobSpec["explainTraceback"];
}

/** The workload whose part a pod is: where its records go, what is said, where its lines go. */
export interface PodRunHost {
  conn: KubeConnection;
  workspaceDir: string;
  print: Print;
  /** Every line the part prints, with its label (the step, the trial) as its source. */
  onLog?(line: LogLine): void;
  /** The events of a pod, as the workload's watch has them. */
  events(pod: string): TimelineEntry[];
}

/**
 * One part of a cluster workload that runs in a pod (a pipeline step's try, a tuning trial),
 * recorded as a cluster job run of its own: its record (a child of the workload's) written as the
 * pod changes, with the pod's timeline and a job's diagnosis; its log followed as it is written,
 * read in full once more at its end, so nothing is lost and nothing said twice.
 */
export class PodRun {
  /** Set once its end is being recorded: nothing changes it after that. */
  ended?: Promise<void>;
  private readonly saver: RecordSaver;
  private readonly output: RunOutput;
  private logs: RunLogs;

  private constructor(
    private readonly host: PodRunHost,
    private readonly shape: PodShape,
    /** The step or trial it is a part of. */
    readonly label: string,
    /** The pod it runs in. */
    readonly pod: string,
    public record: RunResult,
    private readonly ready: Promise<RunRecorder | undefined>,
    recorded?: LogLine[],
  ) {
    const writer: RunRecordWriter = {
      // Lines may come before the record's folder exists; they wait for it, in order.
      log: async (line) => (await ready)?.log(line),
      save: async (result) => (await ready)?.save(result),
      close: async () => (await ready)?.close(),
      cancelRequested: async () => false,
    };
    const lines = new Emitter<LogLine>();
    lines.event((line) => host.onLog?.({ ...line, source: label }));
    this.output = new RunOutput(writer, lines);
    this.saver = new RecordSaver(writer);
    this.logs = this.logsFrom(recorded);
  }

  get runId(): string {
    return this.record.runId;
  }

  /** A new part, seen in its pod: its record (pending) made, its folder coming. */
  static start(
    host: PodRunHost,
    shape: PodShape,
    part: { label: string; runId: string; parent: RunResult; fields: Partial<RunResult> },
    /** Its pod; none for a part that ended before it had one. */
    pod: V1Pod | undefined,
  ): PodRun {
    const main = pod?.spec?.containers.find((container) => shape.isMain(container.name));
    const record: RunResult = {
      runId: part.runId,
      kind: "job",
      target: "cluster",
      status: "pending",
      exitCode: null,
      oomKilled: false,
      image: main?.image ?? part.parent.image,
      notebook: part.parent.notebook,
      startedAt: new Date().toISOString(),
      memoryLimitBytes: memoryLimitOf(main?.resources?.limits?.memory) ?? part.parent.memoryLimitBytes,
      diagnosis: [],
      parent: part.parent.runId,
      timeline: [],
      ...part.fields,
    };
    // A folder that cannot be made is said once; the part then goes unrecorded, the workload on.
    const ready = RunRecorder.create(host.workspaceDir, part.runId).catch((error: unknown) => {
      host.print(
        `! ${part.label}: its run ${part.runId} cannot be recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    });
    return new PodRun(host, shape, part.label, pod?.metadata?.name ?? part.runId, record, ready);
  }

  /** A part an earlier follower recorded: ended, it stays as it is; else it is followed from where its log stops. */
  static async takeUp(
    host: PodRunHost,
    shape: PodShape,
    label: string,
    pod: string,
    record: RunResult,
  ): Promise<PodRun> {
    if (record.finishedAt) {
      const run = new PodRun(host, shape, label, pod, record, Promise.resolve(undefined));
      run.ended = Promise.resolve();
      return run;
    }
    const stored: StoredRun = {
      dir: runDir({ workspaceDir: host.workspaceDir, runId: record.runId }),
      result: record,
    };
    const { recorder, current } = await RunRecorder.reopen(stored);
    return new PodRun(
      host,
      shape,
      label,
      pod,
      current.result,
      Promise.resolve(recorder),
      await readRunLogs(current),
    );
  }

  /** Its pod changed: its logs followed once its containers start, its record as the pod stands. */
  follow(pod: V1Pod): RunResult {
    this.logs.watchPod(pod);
    const state = mainOnly(pod, this.shape).status?.containerStatuses?.[0]?.state;
    const record = this.recordFor(pod, state?.running || state?.terminated ? "running" : "pending");
    this.saver.schedule(record);
    return record;
  }

  /**
   * Its end, as `pod` was last seen: the pod's whole log read once more where the pod is still
   * there (gone, or never had, what was followed is all there is), its record finished with `status`.
   */
  end(
    pod: V1Pod | undefined,
    status: RunStatus,
    options: { gone?: boolean; extra?: Partial<RunResult> } = {},
  ): Promise<void> {
    this.ended ??= (async () => {
      if (options.gone || !pod) await this.logs.stop();
      else await this.logs.finish([pod]);
      await this.close(finished({ ...this.recordFor(pod, status), ...options.extra }));
    })();
    return this.ended;
  }

  /** Its workload was cancelled (its pods are being deleted) or is left running (`leave`): no last read. */
  stop(leave: boolean): Promise<void> {
    this.ended ??= (async () => {
      await this.logs.stop();
      if (leave) return this.close(this.record);
      return this.close(finished(this.recordFor(undefined, "cancelled")));
    })();
    return this.ended;
  }

  /** The last lines it printed, for a diagnosis of the workload. */
  tail(): string[] {
    return this.output.tail();
  }

  private logsFrom(recorded?: LogLine[]): RunLogs {
    // A part's lines are recorded without a source (it has one pod); its follower reads them by the pod's name.
    const positions = recorded && recordedPositions(recorded).get("");
    return new RunLogs(
      this.host.conn,
      this.host.conn.target.namespace,
      (line) => void Promise.resolve(this.output.add({ ...line, source: undefined })).catch(() => undefined),
      positions ? new Map([[this.pod, positions]]) : undefined,
      this.shape.follows ?? ((container) => this.shape.isMain(container)),
      this.shape.logText,
    );
  }

  /** Its record as its pod stands (none: as it was last seen): the pod's timeline, and the diagnosis a cluster job gets. */
  private recordFor(pod: V1Pod | undefined, status: RunStatus): RunResult {
    const main = pod && mainOnly(pod, this.shape);
    const terminated = main?.status?.containerStatuses?.[0]?.state?.terminated;
    const timeline = mergeTimeline(this.record.timeline ?? [], this.host.events(this.pod));
    this.record = {
      ...this.record,
      status,
      ...(main && { oomKilled: terminated?.reason === "OOMKilled", exitCode: terminated?.exitCode ?? null }),
      timeline,
      diagnosis: diagnoseClusterRun({
        kind: "Job",
        status,
        pods: main ? [main] : [],
        events: timeline,
        memoryLimitBytes: this.record.memoryLimitBytes,
        gpu: this.record.productionGpu,
        logTail: this.output.tail(),
        failure:
          status === "failed" ? this.shape.explainTraceback?.(this.output.tail().join("\n")) : undefined,
      }),
    };
    return this.record;
  }

  private async close(record: RunResult): Promise<void> {
    const recorder = await this.ready;
    // Every line is written before the record says it ended: readers stop at that moment.
    await recorder?.close();
    await this.saver.finish(record);
    await recorder?.release();
  }
}

/** The record with its end's time and duration. */
function finished(record: RunResult, now = new Date()): RunResult {
  const finishedAt = record.finishedAt ?? now.toISOString();
  return {
    ...record,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(record.startedAt ?? finishedAt),
  };
}

/** A container's memory limit in bytes; undefined where it has none or it cannot be read. */
function memoryLimitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return quantityToBytes(text);
  } catch {
    return undefined;
  }
}

/** The pod as its part's container alone: the engine's containers (sidecars, init) say nothing about the part. */
export function mainOnly(pod: V1Pod, shape: PodShape): V1Pod {
  return {
    ...pod,
    spec: pod.spec && {
      ...pod.spec,
      containers: pod.spec.containers.filter((container) => shape.isMain(container.name)),
    },
    status: pod.status && {
      ...pod.status,
      containerStatuses: (pod.status.containerStatuses ?? []).filter((status) => shape.isMain(status.name)),
      initContainerStatuses: [],
    },
  };
}
