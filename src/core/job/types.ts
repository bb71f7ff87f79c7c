import type { Diagnosis } from "../diagnosis/types";
import type { ProductionGpu } from "../gpu/productionGpu";
import type { Listener, Disposable } from "../events";
import type { PipelineStepState } from "../pipeline/types";
import type { EndpointRecord } from "../serving/types";
import type { ExperimentRecord } from "../tuning/record";
import type { WorkloadKind } from "../workload/kind";

export type TargetName = "local" | "cluster";
/**
 * Where a run stands. `lost`: the process that followed it went away and nothing remains to say how
 * it ended (no container, no workload); the record says so instead of "running" forever.
 */
export type RunStatus = "pending" | "building" | "running" | "succeeded" | "failed" | "cancelled" | "lost";

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
  /** Milliseconds since the epoch. */
  time: number;
  /** Which replica or step wrote it, where a run has several. */
  source?: string;
}

/**
 * Where a run's peak memory came from. `cgroup-v2` (memory.peak) and `cgroup-v1`
 * (memory.max_usage_in_bytes): the kernel's high-water mark of the container's cgroup, read by the
 * job itself as it ended. `oom-limit`: the run was killed for memory, so it reached its limit.
 * A run without one has no peak: it was not measured.
 */
export type PeakMemorySource = "cgroup-v2" | "cgroup-v1" | "oom-limit";

/** How a run ended: the object `parity run --json` prints last, and the record of a job run. */
export interface RunResult {
  runId: string;
  /** What kind of workload the record is of; absent in records written before kinds: a job run. */
  kind?: WorkloadKind;
  target: TargetName;
  status: RunStatus;
  /** The run id of the workload this run is part of (a pipeline's step, an experiment's trial). */
  parent?: string;
  /** The run ids of this workload's parts (a pipeline's steps, an experiment's trials). */
  children?: string[];
  /** A pipeline step's name, in a step's record. */
  step?: string;
  /** Where each step of a pipeline run stands, in the pipeline's record, in the order they were written. */
  steps?: PipelineStepState[];
  /** An experiment's trial's name, in a trial's record. */
  trial?: string;
  /** What an experiment searches and where its trials stand, in an experiment's record. */
  experiment?: ExperimentRecord;
  /** The model an endpoint serves, where it answers and how it got there, in an endpoint's record. */
  endpoint?: EndpointRecord;
  exitCode: number | null;
  oomKilled: boolean;
  image: string;
  notebook: string;
  startedAt?: string;
  finishedAt?: string;
  /**
   * When a cancel was asked for (Ctrl-C, Cancel): said at once, so a run whose process quits before
   * recording the end (a third Ctrl-C) is still known to have been cancelled.
   */
  cancelRequestedAt?: string;
  durationMs?: number;
  memoryLimitBytes: number;
  /** Production's GPU as the profile said it when the run started: its GPU failures are explained against it. */
  productionGpu?: ProductionGpu;
  /** The run's true peak memory, only where it was measured (`peakMemorySource` says how). */
  peakMemoryBytes?: number;
  peakMemorySource?: PeakMemorySource;
  outputsDir?: string;
  /** What Parity said of the run's setup before it started: a mount reached through a symlink. */
  notes?: string[];
  diagnosis: Diagnosis[];
  /** The Docker engine a local run's container ran on (its endpoint): its end is read from that engine only. */
  engine?: string;
  /** Where a cluster run lives: enough to find, follow or delete its objects again. */
  cluster?: ClusterRunRef;
  /** What happened to a cluster run's objects (job, pods, containers), oldest first. */
  timeline?: TimelineEntry[];
  /**
   * Since when (ISO 8601) the process following a cluster run cannot reach its API server; absent
   * while it can. `status` stays the last one seen: what the run does meanwhile is not known.
   */
  unreachableSince?: string;
}

/** What Parity creates on a cluster: a job run's Job (or training job), a pipeline run's Argo Workflow, an experiment's Katib Experiment, an endpoint's KServe InferenceService. */
export type ClusterWorkloadKind =
  "Job" | "PyTorchJob" | "TFJob" | "Workflow" | "Experiment" | "InferenceService";

export interface ClusterRunRef {
  context: string;
  /** The API server's URL, to tell clusters with the same context name apart. */
  server: string;
  namespace: string;
  kind: ClusterWorkloadKind;
  apiVersion: string;
  name: string;
  uid?: string;
  /** Where the image came from: pushed to a registry, already there, or the engine the cluster shares. */
  imageDelivery?: "pushed" | "already-present" | "shared-engine";
}

/** One thing that happened to a run's object: a Kubernetes event or a state change Parity saw. */
export interface TimelineEntry {
  /** ISO 8601. */
  time: string;
  /** "Job/train-x", "Pod/train-x-abc12", "Container/train-x-abc12/main". */
  object: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** How many times Kubernetes saw it (an event's count), when more than once. */
  count?: number;
}

/** A run in progress, the same for every target. */
export interface RunHandle {
  readonly runId: string;
  readonly onStatus: (listener: Listener<RunStatus>) => Disposable;
  readonly onLog: (listener: Listener<LogLine>) => Disposable;
  cancel(): void;
  /**
   * Stops following without cancelling, where the work can go on without its follower (a workload
   * on a cluster): the record stays as it is (not finished) and `result` settles with it.
   */
  detach?(): void;
  /**
   * Where the work is followed over a network (a cluster): since when (ISO time) its server has not
   * answered, fired when that starts, and undefined once it answers again.
   */
  readonly onUnreachable?: (listener: Listener<string | undefined>) => Disposable;
  readonly result: Promise<RunResult>;
}

/**
 * Where a run's target writes its record as it goes: a line of output at a time, and the result
 * replaced whole. The store (src/app/store) implements it on disk; targets only write through it.
 */
export interface RunRecordWriter {
  /** A promise when the log is behind: wait for it before passing on more lines. */
  log(line: LogLine): void | Promise<void>;
  /** Replaces the record atomically. */
  save(result: RunResult): Promise<void>;
  /** Every logged line is on disk once this resolves; call before the last save. */
  close(): Promise<void>;
  /** Whether another process asked the run to stop (Cancel in another window): its end is a cancel. */
  cancelRequested?(): Promise<boolean>;
}

/** Resource limits, identical for every target: that is the point of Parity. */
export interface JobLimits {
  memoryBytes: number;
  nanoCpus: number;
  shmBytes: number;
  gpu: number;
  /** Production's GPU: a local run holds the frameworks to its memory (core/gpu/runtimeEnv.ts). */
  productionGpu?: ProductionGpu;
}

/** What runs: the same for local Docker and the cluster. */
export interface JobSpec {
  name: string;
  /** The notebook or script the job was made from (absolute path on this machine). */
  notebookFile: string;
  /** The folder mounted read-only as /workspace (the profile's folder). */
  workspaceDir: string;
  /** Where the job runs, relative to the workspace (the notebook's folder). */
  workingDir: string;
  /** The folder mounted read-write for results (absolute path on this machine). */
  outputsDir: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  limits: JobLimits;
  /** Maps a Python traceback in the job's output back to the notebook's cell and line. */
  explainTraceback?: (output: string) => import("../diagnosis/types").PythonFailure | undefined;
  /** Maps an import name to the distribution that provides it. */
  distributionFor?: (module: string) => string;
}

/** The folders a local run mounts, with every symlink followed: what is mounted is what was checked. */
export interface HostFolders {
  /** The real `workspaceDir`, mounted read-only. */
  workspace: string;
  /** The real `outputsDir`, mounted read-write. */
  outputs: string;
  /** Whether `outputs` lies inside the project once symlinks are followed: only then may Parity change its owner. */
  outputsInsideProject: boolean;
  /** A line for each mount reached through a symlink or allowed outside the project. */
  notes: string[];
  /**
   * A pipeline step's folder for the values it hands on (below the project's .parity, real path),
   * mounted read-write where the workspace has it; the steps after it read it through the workspace.
   */
  stepOutputs?: string;
  /**
   * A trial's folder for the metrics file Katib's File collector reads (below the project's
   * .parity, real path), mounted read-write at the file's folder in the container.
   */
  metrics?: { hostPath: string; containerPath: string };
}

/** A job for local Docker, its mounts checked against the project. */
export interface LocalJobSpec extends JobSpec {
  folders: HostFolders;
}
