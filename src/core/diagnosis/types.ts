import type { ProductionGpu } from "../gpu/productionGpu";
import type { ProfileChange } from "../profile/edit";
export type Severity = "error" | "warning" | "info";

/** Where in the user's code a problem happened. */
export interface CodeLocation {
  file: string;
  /** 1-based index of the notebook cell, as the editor shows cells. */
  cell?: number;
  cellId?: string;
  /** 1-based line within the cell (or the file, for scripts). */
  line?: number;
  source?: string;
}

export interface Diagnosis {
  code: string;
  severity: Severity;
  /** What happened, in plain words. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** Lines the fix asks for in parity.yaml: shown as a block to copy, with an action that adds them. */
  snippet?: FixSnippet;
  location?: CodeLocation;
}

/** A fix that is a change to parity.yaml: the lines to paste, and the same change to apply. */
export interface FixSnippet {
  /** As pasted into parity.yaml, with its indentation. */
  yaml: string;
  changes: ProfileChange[];
}

/** The failing Python exception, already mapped from the generated script to the notebook. */
export interface PythonFailure {
  exception: string;
  message: string;
  location?: CodeLocation;
}

/** Everything known about how a run ended, from any target. */
export interface RunEvidence {
  exitCode: number;
  oomKilled: boolean;
  cancelled: boolean;
  memoryLimitBytes: number;
  /** A measured peak only (core/job/peakMemory), never a sample. */
  peakMemoryBytes?: number;
  /** The engine's own error, e.g. an executable that does not exist. */
  engineError?: string;
  /** The last lines of the job's output (stderr and stdout), oldest first. */
  logTail: string[];
  failure?: PythonFailure;
  /** Maps an import name to the distribution to install ("sklearn" → "scikit-learn"). */
  distributionFor?: (module: string) => string;
  /** Production's GPU, where the profile says it: a CUDA out of memory is explained against it. */
  gpu?: ProductionGpu;
  /** The run ran on production's GPU itself (a cluster run), not on a local GPU held to it. */
  onProductionGpu?: boolean;
  /** The run's /dev/shm, for NCCL's shared memory. */
  shmBytes?: number;
}
