import type { Environment } from "../environment/types";
import type { ProductionGpu } from "../gpu/productionGpu";
import type { RunResult } from "../job/types";
import type { ParsedRequirements } from "../requirements/types";

export type Severity = "error" | "warning" | "info";

/** What production is, as far as the report needs it (from parity.yaml). */
export interface ParityProfile {
  /** "3.11" or "3.11.7": compared at the precision given. */
  python: string;
  memoryBytes: number;
  shmBytes: number;
  gpu: number;
  /** CPUs in thousandths, when the profile states them. */
  milliCpu?: number;
  /** Where requirements come from, for fixes; default "requirements.txt". */
  requirementsFile?: string;
  /** Where these facts were read: "parity.yaml", "the embedded default profile". */
  source?: string;
  /** Production's GPU as the profile names it (resources.gpuProduct, the node selector). */
  productionGpu?: ProductionGpu;
  /** The NVIDIA driver of the nodes the job lands on, where it was read (their labels). */
  gpuDriver?: GpuDriverFacts;
}

/** A driver as GPU feature discovery labels nodes with it. */
export interface GpuDriverFacts {
  /** "535.104.05" */
  version: string;
  /** The newest CUDA it supports ("12.2"), where known. */
  cudaVersion?: string;
  /** Where it was read, for messages: "node gpu-a100-1". */
  source: string;
}

/**
 * A comparison the report could not make, and why. While any is left, the report never says
 * "matches production": it says what it compared instead.
 */
export interface NotCompared {
  code: "ImageNotBuilt" | "EngineUnreachable" | "LocalNotProbed" | "LocalProbeFailed";
  /** A few words for the status bar: "requirements only". */
  short: string;
  /** The whole sentence: "image not built yet: packages compared with requirements only". */
  sentence: string;
}

/** What a run recorded, as far as the report and the views need it. */
export type LastRunFacts = Pick<
  RunResult,
  | "runId"
  | "target"
  | "status"
  | "exitCode"
  | "oomKilled"
  | "memoryLimitBytes"
  | "peakMemoryBytes"
  | "diagnosis"
>;

/**
 * Production's side where no image was probed: what the profile states and what the requirements
 * pin, each with where it was read.
 */
export interface ProductionFacts {
  profileSource: string;
  python?: string;
  memoryBytes: number;
  shmBytes: number;
  gpu: number;
  milliCpu?: number;
  /** Production's GPU (product, memory, compute capability), where the profile names it. */
  productionGpu?: ProductionGpu;
  requirementsSource: string;
  /** What each listed distribution will be in the image: "==1.5.2", ">=2", "any version". */
  listed: Record<string, string>;
}

export interface ParityInput {
  /** The notebook's interpreter. */
  local?: Environment;
  /** The built production image. */
  image?: Environment;
  profile: ParityProfile;
  requirements: ParsedRequirements;
  /** Top-level modules the notebook imports ("sklearn", "torch"). */
  notebookImports: string[];
  notebookFile: string;
  /** Top-level modules that are files of the workspace (imported from the notebook's folder, not installed). */
  workspaceModules?: string[];
  /** Its peak only where it was measured (the store drops a peak that says no source). */
  lastRun?: LastRunFacts;
  /** The comparisons that could not be made (no image, no interpreter), each with why. */
  notCompared?: NotCompared[];
}

export interface ParityItem {
  severity: Severity;
  /** Stable identifier of the kind of difference: "PackageVersion", "MemoryPeakOver"... */
  code: string;
  message: string;
  /** One concrete action: "pin torch==2.3.1 in requirements.txt". */
  fix: string;
  /** The package, module or limit the item is about, for grouping in the UI. */
  subject?: string;
  /** Where the user should look: requirements file and line. */
  location?: { file: string; line?: number };
  /** The fix as a change to a requirements file, when it is one the editor can apply. */
  edit?: ParityEdit;
}

/**
 * A one-line change to a requirements file. `resolveParityEdit` turns it into a text change
 * against the file as it is now, so a stale report never edits the wrong line.
 */
export interface ParityEdit {
  /** "Pin torch==2.3.1 in requirements.txt": the label of the apply action. */
  title: string;
  /** The file as the report names it (the requirements file, or a file included with -r). */
  file: string;
  /** Replace `oldText` on this 1-based line; without a line, `newText` is appended as a new line. */
  line?: number;
  /** The requirement as written on `line` ("torch>=2"), without comments or options. */
  oldText?: string;
  newText: string;
}

export interface ParityReport {
  items: ParityItem[];
  errors: number;
  warnings: number;
  infos: number;
  /** Sources of the compared environments, as the probe captured them. */
  compared: { local?: string; image?: string };
  /** What could not be compared: while any is left, the report does not say "matches production". */
  notCompared: NotCompared[];
  /** Production as the profile and the requirements state it: the report's Production column before an image exists. */
  production: ProductionFacts;
  /** The notebook's last run that was not cancelled, when there is one. */
  lastRun?: LastRunFacts;
}
