import { readFileSync } from "node:fs";
import { parseProbeOutput } from "../../../src/core/environment/parseProbeOutput";
import type { Environment } from "../../../src/core/environment/types";
import type { LastRunFacts, ParityInput, ParityItem, ParityReport } from "../../../src/core/parity/types";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

/** Real probe output from a Linux dev machine (Python 3.11.7, no GPU, no cgroup limit). */
const captured = readFileSync(
  new URL("../environment/fixtures/probe-stdout-linux.txt", import.meta.url),
  "utf8",
);

/** The captured environment plus an ML stack, edited the way a laptop and a CUDA image differ. */
const mlStack = {
  torch: "2.3.1+cu121",
  numpy: "1.26.4",
  pandas: "2.2.2",
  "scikit-learn": "1.5.0",
};

function withPackages(environment: Environment, packages: Record<string, string>): Environment {
  const moduleDistributions = { ...environment.moduleDistributions };
  for (const name of Object.keys(packages)) {
    moduleDistributions[name === "scikit-learn" ? "sklearn" : name] = [name];
  }
  return {
    ...environment,
    distributions: { ...environment.distributions, ...packages },
    moduleDistributions,
  };
}

/** Production's image: the same packages, torch built for CUDA 12.1, an 8 GiB cgroup v2 limit. */
export function imageEnvironment(): Environment {
  const base = parseProbeOutput(captured, "image my-job:3f2a");
  return {
    ...withPackages(base, mlStack),
    python: { ...base.python, executable: "/usr/local/bin/python3" },
    frameworks: { torch: { version: "2.3.1+cu121", cuda: "12.1", cudnn: "8902", cudaAvailable: false } },
    memory: { totalBytes: 64 * GIB, limitBytes: 8 * GIB, cgroup: "v2" },
    shmBytes: 64 * MIB,
  };
}

/** The notebook's interpreter, matching the image exactly and running under the same limit. */
export function matchingLocalEnvironment(): Environment {
  const image = imageEnvironment();
  return {
    ...image,
    source: "local /home/ana/project/.venv/bin/python",
    memory: { totalBytes: 32 * GIB, limitBytes: 8 * GIB, cgroup: "v2" },
    shmBytes: 16 * GIB,
  };
}

/** The notebook's interpreter as captured on this machine: no limit, no GPU. */
export function capturedLocalEnvironment(): Environment {
  return withPackages(parseProbeOutput(captured, "local /usr/bin/python3"), mlStack);
}

export const PINNED_REQUIREMENTS = `# production lock
torch==2.3.1+cu121
numpy==1.26.4
pandas==2.2.2
scikit-learn==1.5.0
`;

export function matchingInput(overrides: Partial<ParityInput> = {}): ParityInput {
  return {
    local: matchingLocalEnvironment(),
    image: imageEnvironment(),
    profile: { python: "3.11", memoryBytes: 8 * GIB, shmBytes: 2 * GIB, gpu: 0 },
    requirements: parseRequirements(PINNED_REQUIREMENTS),
    notebookImports: ["json", "numpy", "pandas", "sklearn", "torch"],
    notebookFile: "train.ipynb",
    lastRun: lastRun({ peakMemoryBytes: 3 * GIB }),
    ...overrides,
  };
}

/** A finished run of the notebook as its record says, with the profile's 8 GiB limit. */
export function lastRun(overrides: Partial<LastRunFacts> = {}): LastRunFacts {
  return {
    runId: "20261204-120000-train",
    target: "local",
    status: overrides.oomKilled ? "failed" : "succeeded",
    exitCode: overrides.oomKilled ? 137 : 0,
    oomKilled: false,
    memoryLimitBytes: 8 * GIB,
    diagnosis: [],
    ...overrides,
  };
}

/** A report as buildParityReport makes it, of these items, with every comparison made. */
export function reportOf(items: ParityItem[], overrides: Partial<ParityReport> = {}): ParityReport {
  return {
    items,
    errors: items.filter((item) => item.severity === "error").length,
    warnings: items.filter((item) => item.severity === "warning").length,
    infos: items.filter((item) => item.severity === "info").length,
    compared: { local: "local /usr/bin/python3", image: "image parity/train:1" },
    notCompared: [],
    production: {
      profileSource: "parity.yaml",
      python: "3.11",
      memoryBytes: 8 * GIB,
      shmBytes: 2 * GIB,
      gpu: 0,
      requirementsSource: "requirements.txt",
      listed: {},
    },
    ...overrides,
  };
}

/** What the report says when the image is not built yet. */
export const REQUIREMENTS_ONLY = {
  code: "ImageNotBuilt" as const,
  short: "requirements only",
  sentence: "image not built yet: packages compared with requirements only",
};
