import { readFileSync } from "node:fs";
import { parseProbeOutput } from "../../../src/core/environment/parseProbeOutput";
import type { Environment } from "../../../src/core/environment/types";
import type { ParityInput } from "../../../src/core/parity/types";
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
    lastRun: { peakMemoryBytes: 3 * GIB, oomKilled: false },
    ...overrides,
  };
}
