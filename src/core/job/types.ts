import type { Diagnosis } from "../diagnosis/types";
import type { Listener, Disposable } from "../events";

export type TargetName = "local" | "cluster";
export type RunStatus = "pending" | "building" | "running" | "succeeded" | "failed" | "cancelled";

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
  /** Milliseconds since the epoch. */
  time: number;
  /** Which replica or step wrote it, where a run has several. */
  source?: string;
}

/** How a run ended: the object `parity run --json` prints last. */
export interface RunResult {
  runId: string;
  target: TargetName;
  status: RunStatus;
  exitCode: number | null;
  oomKilled: boolean;
  image: string;
  notebook: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  memoryLimitBytes: number;
  peakMemoryBytes?: number;
  outputsDir?: string;
  diagnosis: Diagnosis[];
}

/** A run in progress, the same for every target. */
export interface RunHandle {
  readonly runId: string;
  readonly onStatus: (listener: Listener<RunStatus>) => Disposable;
  readonly onLog: (listener: Listener<LogLine>) => Disposable;
  cancel(): void;
  readonly result: Promise<RunResult>;
}

/** Resource limits, identical for every target: that is the point of Parity. */
export interface JobLimits {
  memoryBytes: number;
  nanoCpus: number;
  shmBytes: number;
  gpu: number;
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
