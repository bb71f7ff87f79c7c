import { describe, expect, it } from "vitest";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import type { ParityItem } from "../../../src/core/parity/types";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";
import {
  lastRun,
  GIB,
  MIB,
  PINNED_REQUIREMENTS,
  capturedLocalEnvironment,
  imageEnvironment,
  matchingInput,
  matchingLocalEnvironment,
} from "./fixtures";

function only(items: ParityItem[], code: string): ParityItem {
  const found = items.filter((item) => item.code === code);
  expect(found, `items with code ${code}: ${JSON.stringify(items, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

describe("buildParityReport", () => {
  it("reports nothing when the notebook matches production", () => {
    const report = buildParityReport(matchingInput());

    expect(report.items).toEqual([]);
    expect(report).toMatchObject({ errors: 0, warnings: 0, infos: 0 });
    expect(report.compared).toEqual({
      local: "local /home/ana/project/.venv/bin/python",
      image: "image my-job:3f2a",
    });
  });

  it("flags an image whose Python is not the profile's as an error", () => {
    const image = imageEnvironment();
    image.python.version = "3.10.14";
    const report = buildParityReport(
      matchingInput({ image, local: { ...matchingLocalEnvironment(), python: image.python } }),
    );

    expect(only(report.items, "PythonImage")).toEqual({
      severity: "error",
      code: "PythonImage",
      subject: "python",
      message: "The image runs Python 3.10.14; parity.yaml says production runs 3.11.",
      fix: "Use a base image with Python 3.11 and rebuild the image.",
    });
  });

  it("warns when the notebook's Python differs from the image's, pointing local at production", () => {
    const local = matchingLocalEnvironment();
    local.python = { ...local.python, version: "3.12.4" };
    const item = only(buildParityReport(matchingInput({ local })).items, "PythonLocal");

    expect(item.severity).toBe("warning");
    expect(item.message).toBe("Your notebook runs Python 3.12.4; the image runs 3.11.");
    expect(item.fix).toContain("python3.11 -m venv .venv");
  });

  it("compares the notebook's Python with the profile when there is no image yet", () => {
    const local = matchingLocalEnvironment();
    local.python = { ...local.python, version: "3.9.18" };
    const item = only(buildParityReport(matchingInput({ local, image: undefined })).items, "PythonLocal");

    expect(item.message).toBe("Your notebook runs Python 3.9.18; production runs 3.11.");
  });

  it("makes a framework version mismatch an error and other packages a warning, fixing the notebook side", () => {
    const local = matchingLocalEnvironment();
    local.distributions = { ...local.distributions, numpy: "2.0.1", requests: "2.31.0" };
    const image = imageEnvironment();
    image.distributions = { ...image.distributions, requests: "2.32.3" };
    const input = matchingInput({ local, image });
    const report = buildParityReport({ ...input, notebookImports: [...input.notebookImports, "requests"] });

    const versions = report.items.filter((item) => item.code === "PackageVersion");
    expect(versions).toEqual([
      {
        severity: "error",
        code: "PackageVersion",
        subject: "numpy",
        message: "numpy 2.0.1 in your notebook, 1.26.4 in requirements.txt.",
        fix: "pip install numpy==1.26.4 in your notebook's environment.",
      },
      {
        severity: "warning",
        code: "PackageVersion",
        subject: "requests",
        message: "requests 2.31.0 in your notebook, 2.32.3 in the image.",
        fix: "pip install requests==2.32.3 in your notebook's environment.",
      },
    ]);
  });

  it("sums up differences the notebook does not import, and leaves packaging tools out", () => {
    const local = matchingLocalEnvironment();
    local.distributions = { ...local.distributions, pip: "23.2.1", requests: "2.31.0", idna: "3.6" };
    const image = imageEnvironment();
    image.distributions = { ...image.distributions, pip: "24.0", requests: "2.32.3", idna: "3.7" };
    const report = buildParityReport(matchingInput({ local, image }));

    expect(report.items.filter((item) => item.code === "PackageVersion")).toEqual([]);
    const other = only(report.items, "PackageVersionOther");
    expect(other.severity).toBe("info");
    expect(other.message).toBe(
      "2 other installed packages differ from the image (idna 3.6 → 3.7, requests 2.31.0 → 2.32.3); the notebook does not import them.",
    );
    expect(report.items.some((item) => item.message.includes("pip "))).toBe(false);
  });

  it("warns when the notebook imports a package production has but its environment lacks", () => {
    const local = matchingLocalEnvironment();
    const { "scikit-learn": _dropped, ...rest } = local.distributions;
    local.distributions = rest;
    const item = only(buildParityReport(matchingInput({ local })).items, "PackageMissingLocal");
    expect(item.severity).toBe("warning");
    expect(item.message).toMatch(
      /^scikit-learn [\d.]+ is in the image, but not in your notebook's environment\.$/,
    );
    expect(item.fix).toMatch(/^pip install scikit-learn==[\d.]+ in your notebook's environment\.$/);
  });

  it("points an unpinned %pip requirement at the notebook, not at requirements.txt", () => {
    const requirements = parseRequirements(PINNED_REQUIREMENTS);
    const [first] = parseRequirements("requests>=2").requirements;
    requirements.requirements.push({ ...first!, file: "train.ipynb", line: 0 });
    const item = buildParityReport(matchingInput({ requirements })).items.find(
      (candidate) => candidate.code === "RequirementUnpinned" && candidate.subject === "requests",
    );
    expect(item?.message).toBe(
      "train.ipynb: requests>=2 is not pinned, so each build may install a different version.",
    );
    expect(item?.location).toEqual({ file: "train.ipynb" });
  });

  it("asks to pin as well when the image's version came from an unpinned requirement", () => {
    const local = matchingLocalEnvironment();
    local.distributions = { ...local.distributions, pandas: "2.1.0" };
    const requirements = parseRequirements(PINNED_REQUIREMENTS.replace("pandas==2.2.2", "pandas>=2.0"));
    const item = only(buildParityReport(matchingInput({ local, requirements })).items, "PackageVersion");

    expect(item.fix).toBe(
      "pip install pandas==2.2.2 in your notebook's environment, and pin pandas==2.2.2 in requirements.txt.",
    );
  });

  it("says the image is stale when it does not have the pinned version", () => {
    const image = imageEnvironment();
    image.distributions = { ...image.distributions, pandas: "2.1.4" };
    const item = only(buildParityReport(matchingInput({ image })).items, "ImageStale");

    expect(item).toMatchObject({
      severity: "error",
      message: "requirements.txt pins pandas==2.2.2 but the image has 2.1.4.",
      location: { file: "requirements.txt", line: 4 },
    });
  });

  it("reports an import the image does not have, with the pin from the notebook's environment", () => {
    const image = imageEnvironment();
    delete image.distributions["scikit-learn"];
    delete image.moduleDistributions.sklearn;
    const requirements = parseRequirements(PINNED_REQUIREMENTS.replace("scikit-learn==1.5.0\n", ""));
    const item = only(buildParityReport(matchingInput({ image, requirements })).items, "ImportMissingImage");

    expect(item).toEqual({
      severity: "error",
      code: "ImportMissingImage",
      subject: "scikit-learn",
      message: "train.ipynb imports sklearn (from scikit-learn), which is not installed in the image.",
      fix: "Add scikit-learn==1.5.0 to requirements.txt.",
      edit: {
        title: "Add scikit-learn==1.5.0 to requirements.txt",
        file: "requirements.txt",
        newText: "scikit-learn==1.5.0",
      },
    });
  });

  it("without an image, reports imports missing from requirements and skips stdlib and workspace modules", () => {
    const requirements = parseRequirements("numpy==1.26.4\ntorch==2.3.1+cu121\n");
    const report = buildParityReport(
      matchingInput({
        image: undefined,
        requirements,
        notebookImports: ["os", "numpy", "sklearn", "yaml", "helpers", "torch"],
        workspaceModules: ["helpers"],
      }),
    );

    const missing = report.items.filter((item) => item.code === "ImportMissingRequirements");
    expect(missing.map((item) => item.fix)).toEqual([
      "Add scikit-learn==1.5.0 to requirements.txt.",
      "Add pyyaml==6.0.3 to requirements.txt.",
    ]);
  });

  it("falls back to the built-in stdlib list and alias table when nothing was probed", () => {
    const report = buildParityReport(
      matchingInput({
        local: undefined,
        image: undefined,
        requirements: parseRequirements("numpy==1.26.4\n"),
        notebookImports: ["pathlib", "numpy", "cv2", "dataclasses"],
      }),
    );

    expect(report.items.map((item) => [item.code, item.subject, item.fix])).toEqual([
      [
        "ImportMissingRequirements",
        "opencv-python",
        "Add opencv-python to requirements.txt, pinned to the version you tested with.",
      ],
    ]);
  });

  it("warns about unpinned and unpinnable requirements", () => {
    const requirements = parseRequirements(
      [
        "-r base.txt",
        ...PINNED_REQUIREMENTS.replace("numpy==1.26.4", "numpy>=1.24").split("\n"),
        "git+https://github.com/acme/featurize.git@main#egg=featurize",
        "git+https://github.com/acme/metrics.git@3f2a9c1d#egg=metrics",
      ].join("\n"),
    );
    const report = buildParityReport(matchingInput({ requirements }));

    expect(only(report.items, "RequirementUnpinned")).toMatchObject({
      severity: "warning",
      subject: "numpy",
      message:
        "requirements.txt:4: numpy>=1.24 is not pinned, so each build may install a different version.",
      fix: "Pin numpy==1.26.4 in requirements.txt (the image's version).",
      location: { file: "requirements.txt", line: 4 },
    });
    expect(only(report.items, "RequirementUnpinnable")).toMatchObject({
      subject: "featurize",
      fix: "Pin a commit: end the URL with @<commit hash>.",
    });
  });

  it("turns an invalid requirements line into an error at its line", () => {
    const requirements = parseRequirements(PINNED_REQUIREMENTS + "numpy = 1.26\n");
    expect(
      only(buildParityReport(matchingInput({ requirements })).items, "RequirementInvalid"),
    ).toMatchObject({
      severity: "error",
      location: { line: 6 },
    });
  });

  it("reports torch built for different CUDA versions, and a CPU torch when production has a GPU", () => {
    const local = matchingLocalEnvironment();
    local.frameworks = { torch: { version: "2.3.1", cudaAvailable: false } };
    const image = imageEnvironment();
    image.frameworks = { torch: { version: "2.3.1", cudaAvailable: false } };
    const profile = { ...matchingInput().profile, gpu: 1 };

    const cpuImage = buildParityReport(matchingInput({ local, image, profile }));
    expect(only(cpuImage.items, "TorchCpuBuild").message).toBe(
      "Production gives this job 1 GPU, but the image's torch 2.3.1 is a CPU-only build and will not use them.",
    );

    const mismatch = buildParityReport(matchingInput({ local }));
    expect(only(mismatch.items, "TorchCudaBuild")).toMatchObject({
      severity: "error",
      message: "torch is built for CPU only in your notebook, CUDA 12.1 in the image.",
      fix: "pip install torch==2.3.1+cu121 --index-url https://download.pytorch.org/whl/cu121 in your notebook's environment.",
    });
  });

  it("warns about a cuDNN mismatch and about a local driver too old for the image's CUDA", () => {
    const local = matchingLocalEnvironment();
    local.frameworks = {
      torch: { version: "2.3.1+cu121", cuda: "12.1", cudnn: "8801", cudaAvailable: true },
    };
    local.nvidia = { driverVersion: "525.147.05", cudaVersion: "12.0" };
    local.gpus = [{ name: "NVIDIA GeForce RTX 3060", memoryBytes: 12 * GIB }];
    const report = buildParityReport(matchingInput({ local }));

    expect(only(report.items, "TorchCudnnBuild").severity).toBe("warning");
    expect(only(report.items, "CudaDriverLocal").message).toContain(
      "driver 525.147.05 supports up to CUDA 12.0",
    );
  });

  it("reports tensorflow builds that differ", () => {
    const local = matchingLocalEnvironment();
    local.frameworks = { tensorflow: { version: "2.16.1", cudaBuild: false } };
    const image = imageEnvironment();
    image.frameworks = { tensorflow: { version: "2.16.1", cuda: "12.3", cudnn: "8", cudaBuild: true } };
    const item = only(buildParityReport(matchingInput({ local, image })).items, "TensorflowCudaBuild");

    expect(item.message).toBe(
      "tensorflow is built for CPU only in your notebook, CUDA 12.3 / cuDNN 8 in the image.",
    );
    expect(item.fix).toBe("pip install tensorflow[and-cuda]==2.16.1 in your notebook's environment.");
  });

  it("explains that the notebook runs without a limit here", () => {
    const report = buildParityReport(matchingInput({ local: capturedLocalEnvironment() }));
    const item = only(report.items, "MemoryUnlimitedLocal");

    expect(item.severity).toBe("info");
    expect(item.message).toMatch(
      /^Your notebook runs without a memory limit here \(this machine has [\d.]+ GiB\); production allows 8 GiB\.$/,
    );
  });

  it("notes when this machine has less memory than production allows", () => {
    const local = matchingLocalEnvironment();
    local.memory = { totalBytes: 4 * GIB };
    expect(only(buildParityReport(matchingInput({ local })).items, "MemorySmallerLocal").message).toContain(
      "Your notebook gets 4 GiB here; production allows 8 GiB",
    );
  });

  it("makes a peak over the limit an error and a peak above 90% a warning", () => {
    const over = buildParityReport(matchingInput({ lastRun: lastRun({ peakMemoryBytes: 9.8 * GIB }) }));
    expect(only(over.items, "MemoryPeakOver")).toMatchObject({
      severity: "error",
      message:
        "Your notebook peaked at 9.8 GiB in its last run (the kernel's count); the production limit is 8 GiB.",
      fix: "Reduce peak memory (smaller batches, load data in chunks, del large objects) or set resources.memory to 12Gi in parity.yaml.",
    });

    const near = buildParityReport(matchingInput({ lastRun: lastRun({ peakMemoryBytes: 7.5 * GIB }) }));
    expect(only(near.items, "MemoryPeakNear")).toMatchObject({
      severity: "warning",
      message:
        "Your notebook peaked at 7.5 GiB in its last run (the kernel's count), 94% of the production limit of 8 GiB.",
    });

    const under = buildParityReport(matchingInput({ lastRun: lastRun({ peakMemoryBytes: 7.1 * GIB }) }));
    expect(under.items).toEqual([]);
  });

  it("reports an OOM-killed last run as an error", () => {
    const report = buildParityReport(matchingInput({ lastRun: lastRun({ oomKilled: true }) }));
    const item = only(report.items, "MemoryOomKilled");
    expect(item.message).toBe(
      "Your last run was killed for going over its 8 GiB memory limit (OOMKilled): it needs more than 8 GiB.",
    );
    // The limit the run had, not the profile's limit of today.
    const raised = buildParityReport(
      matchingInput({ lastRun: lastRun({ oomKilled: true, memoryLimitBytes: 128 * MIB }) }),
    );
    expect(only(raised.items, "MemoryOomKilled").message).toBe(
      "Your last run was killed for going over its 128 MiB memory limit (OOMKilled): it needs more than 128 MiB (parity.yaml now says 8 GiB).",
    );
    // No made-up number: the real need of a killed run is unknown.
    expect(item.fix).not.toMatch(/\d+(Mi|Gi)/);
  });

  it("warns when production has a GPU and this machine has none", () => {
    const profile = { ...matchingInput().profile, gpu: 2 };
    const item = only(buildParityReport(matchingInput({ profile })).items, "GpuMissingLocal");
    expect(item.message).toContain("Production gives this job 2 GPUs; this machine has none");

    const local = matchingLocalEnvironment();
    local.gpus = [{ name: "NVIDIA A10G", memoryBytes: 24 * GIB }];
    // Only the note that production's GPU is not named, so its architecture was not checked.
    expect(buildParityReport(matchingInput({ profile, local })).items.map((item) => item.code)).toEqual([
      "GpuArchitectureUnchecked",
    ]);
  });

  it("warns about a small /dev/shm only when the notebook imports torch", () => {
    const profile = { ...matchingInput().profile, shmBytes: 64 * MIB };
    const item = only(buildParityReport(matchingInput({ profile })).items, "ShmSmall");
    expect(item.message).toContain("Production gives /dev/shm 64 MiB (here: 16 GiB)");
    expect(item.fix).toContain("resources.shm to 2Gi");

    const withoutTorch = buildParityReport(matchingInput({ profile, notebookImports: ["numpy"] }));
    expect(withoutTorch.items).toEqual([]);
  });

  it("orders errors before warnings before notes and counts them", () => {
    const local = capturedLocalEnvironment();
    local.distributions = { ...local.distributions, numpy: "2.0.1" };
    const requirements = parseRequirements(PINNED_REQUIREMENTS.replace("pandas==2.2.2", "pandas"));
    const oomRun = lastRun({ oomKilled: true });
    const report = buildParityReport(matchingInput({ local, requirements, lastRun: oomRun }));

    expect(report.items.map((item) => [item.severity, item.code])).toEqual([
      ["error", "PackageVersion"],
      ["error", "MemoryOomKilled"],
      ["warning", "RequirementUnpinned"],
      ["info", "MemoryUnlimitedLocal"],
    ]);
    expect(report).toMatchObject({ errors: 2, warnings: 1, infos: 1 });
  });
});
