import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/core/job/types";
import { buildParityReport } from "../../../src/core/parity/buildParityReport";
import { parseRequirements } from "../../../src/core/requirements/parseRequirements";
import { diagnosisViewState } from "../../../src/panels/diagnosis/diagnosisView";
import { reportViewState } from "../../../src/panels/report/reportView";
import {
  capturedLocalEnvironment,
  imageEnvironment,
  matchingInput,
  PINNED_REQUIREMENTS,
  REQUIREMENTS_ONLY,
} from "../parity/fixtures";

const MIB = 1024 ** 2;

describe("reportViewState", () => {
  it("puts the notebook's environment beside the image's, with the differences the items name first", () => {
    const local = capturedLocalEnvironment();
    const image = imageEnvironment();
    const requirements = parseRequirements(PINNED_REQUIREMENTS.replace("numpy==1.26.4", "numpy"));
    const report = buildParityReport(matchingInput({ local, image, requirements }));
    const state = reportViewState({
      notebookFile: "/w/examples/train.ipynb",
      profileFile: "/w/examples/parity.yaml",
      report,
      local,
      image,
    });

    expect(state).toMatchObject({ notebookName: "train.ipynb", profileName: "parity.yaml" });
    expect(state.sections.map((section) => section.title)).toEqual([
      "Python",
      "Limits",
      "Frameworks",
      "Packages the report names or that differ",
      expect.stringMatching(/^Other packages \(\d+\)$/),
    ]);
    expect(state.sections[4]!.folded).toBe(true);
    const limits = state.sections[1]!.rows;
    expect(limits[0]).toMatchObject({ label: "Memory", production: "8 GiB limit", differs: true });
    const packages = state.sections[3]!.rows;
    expect(packages[0]!.label).toBe("numpy");
    const unpinned = state.items.find((item) => item.code === "RequirementUnpinned");
    expect(unpinned).toMatchObject({
      applyTitle: "Pin numpy==1.26.4 in requirements.txt",
      location: "requirements.txt:3",
    });
    expect(state.summary).toMatch(/errors?|warnings?/);
  });

  it("names files relative to the profile's folder", () => {
    const requirements = parseRequirements("numpy\n", "/w/examples/requirements.txt");
    const report = buildParityReport(
      matchingInput({
        requirements,
        profile: {
          python: "3.11",
          memoryBytes: 8 * 1024 ** 3,
          shmBytes: 2 * 1024 ** 3,
          gpu: 0,
          requirementsFile: "/w/examples/requirements.txt",
        },
      }),
    );
    const state = reportViewState({
      notebookFile: "/w/examples/train.ipynb",
      profileFile: "/w/examples/parity.yaml",
      report,
    });
    expect(state.items.find((item) => item.code === "RequirementUnpinned")).toMatchObject({
      location: "requirements.txt:1",
      applyTitle: "Pin numpy==1.26.4 in requirements.txt",
    });
  });

  it("before the image is built: the profile's limits and the requirements in the Production column, each with its source, and no match claimed", () => {
    // examples/train as a new user has it: requirements.txt pins scikit-learn, the notebook
    // imports it, and the local interpreter lacks it.
    const local = capturedLocalEnvironment();
    delete local.distributions["scikit-learn"];
    delete local.moduleDistributions.sklearn;
    const requirements = parseRequirements("scikit-learn==1.5.2\nnumpy==1.26.4\n", "requirements.txt");
    const report = buildParityReport(
      matchingInput({
        local,
        image: undefined,
        requirements,
        notebookImports: ["numpy", "sklearn"],
        profile: {
          python: "3.11",
          memoryBytes: 512 * MIB,
          shmBytes: 64 * MIB,
          gpu: 0,
          milliCpu: 1500,
          source: "parity.yaml",
        },
        notCompared: [REQUIREMENTS_ONLY],
      }),
    );
    const state = reportViewState({ notebookFile: "/w/train.ipynb", report, local });

    expect(state.summary).not.toMatch(/matches/i);
    expect(state.summary).toContain("requirements only");
    expect(state.verdict).not.toMatch(/matches production/i);
    expect(state.basis).toContain(
      "Not compared: image not built yet: packages compared with requirements only.",
    );
    expect(state.productionSource).toBe(
      "Production as parity.yaml and requirements.txt state it (image not built yet)",
    );
    const missing = report.items.find((item) => item.code === "PackageMissingLocal");
    expect(missing).toMatchObject({ severity: "warning", subject: "scikit-learn" });
    expect(missing!.message).toContain("requirements.txt:1 lists scikit-learn==1.5.2");

    const rows = Object.fromEntries(
      state.sections.flatMap((section) => section.rows).map((row) => [row.label, row]),
    );
    // 3.11.x against the profile's "3.11": the same, at the precision the profile gives.
    expect(local.python.version).toMatch(/^3\.11\.\d+$/);
    expect(rows["Version"]).toMatchObject({
      production: "3.11",
      source: "parity.yaml",
      checked: true,
      differs: false,
    });
    expect(rows["Implementation"]).toMatchObject({
      production: "—",
      source: "not known before the image is built",
      checked: false,
    });
    expect(rows["Memory"]).toMatchObject({
      production: "512 MiB limit",
      source: "parity.yaml",
      checked: true,
    });
    expect(rows["Shared memory (/dev/shm)"]).toMatchObject({ production: "64 MiB", source: "parity.yaml" });
    expect(rows["CPUs"]).toMatchObject({ production: "1.5 (limit)", source: "parity.yaml" });
    expect(rows["GPUs"]).toMatchObject({ production: "none", source: "parity.yaml" });
    expect(rows["scikit-learn"]).toMatchObject({
      local: "not installed",
      production: "==1.5.2",
      source: "requirements.txt",
      checked: true,
      differs: true,
    });
    expect(rows["numpy"]).toMatchObject({ production: "==1.26.4", checked: true, differs: false });
  });

  it("says where each value came from once the image is probed", () => {
    const report = buildParityReport(matchingInput());
    const state = reportViewState({
      notebookFile: "/w/train.ipynb",
      report,
      local: matchingInput().local,
      image: matchingInput().image,
    });
    expect(state.summary).toBe("Matches production");
    expect(state.verdict).toMatch(
      /^Your notebook's environment matches production: local .* compared with image/,
    );
    const memory = state.sections[1]!.rows[0]!;
    expect(memory).toMatchObject({
      label: "Memory",
      checked: true,
      source: "probed image (run with parity.yaml's limits)",
    });
    expect(state.sections[0]!.rows[0]).toMatchObject({ source: "probed image", checked: true });
  });
});

function result(overrides: Partial<RunResult>): RunResult {
  return {
    runId: "memory-20261129-070000-ab12",
    target: "local",
    status: "failed",
    exitCode: 137,
    oomKilled: true,
    image: "parity/memory:3f2a",
    notebook: "/w/examples/memory.ipynb",
    startedAt: "2026-11-29T07:00:00.000Z",
    durationMs: 4200,
    memoryLimitBytes: 128 * MIB,
    diagnosis: [
      {
        code: "OOMKilled",
        severity: "error",
        message: "Killed by the out-of-memory killer at the 128 MiB memory limit, as production would be.",
        fix: "Lower what the notebook holds in memory.",
        location: { file: "/w/examples/memory.ipynb", cell: 2, line: 3 },
      },
    ],
    ...overrides,
  };
}

describe("diagnosisViewState", () => {
  it("passes a fix's parity.yaml lines as a block with their indentation, and says it can be applied", () => {
    const snippet = {
      yaml: "cluster:\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Exists\n      effect: NoSchedule",
      changes: [
        {
          kind: "addTolerations" as const,
          tolerations: [
            { key: "nvidia.com/gpu", operator: "Exists" as const, effect: "NoSchedule" as const },
          ],
        },
      ],
    };
    const state = diagnosisViewState(
      result({
        status: "pending",
        oomKilled: false,
        exitCode: null,
        diagnosis: [
          {
            code: "UntoleratedTaint",
            severity: "error",
            message: "tainted",
            fix: "Add the toleration.",
            snippet,
          },
        ],
      }),
    );
    expect(state.items[0]).toMatchObject({
      fix: "Add the toleration.",
      snippet: snippet.yaml,
      applicable: true,
    });
    expect(state.items[0]!.snippet!.split("\n")[2]).toBe("    - key: nvidia.com/gpu");
  });

  it("explains an OOM kill at its limit, with the cell to open", () => {
    const state = diagnosisViewState(result({}));

    expect(state).toMatchObject({
      notebookName: "memory.ipynb",
      statusLabel: "Failed",
      headline: "OOMKilled at the 128 MiB memory limit.",
      live: false,
    });
    expect(state.facts).toContainEqual({
      label: "Memory",
      value: "OOMKilled: reached the 128 MiB limit, so its peak is the limit it hit",
    });
    expect(state.facts).toContainEqual({ label: "Exit code", value: "137" });
    expect(state.items[0]).toMatchObject({
      code: "OOMKilled",
      location: "memory.ipynb, cell 2, line 3",
      openable: true,
    });
  });

  it("shows the peak against the limit with where it came from, or not measured, and a live run as in progress", () => {
    const done = diagnosisViewState(
      result({
        status: "succeeded",
        exitCode: 0,
        oomKilled: false,
        peakMemoryBytes: 64 * MIB,
        peakMemorySource: "cgroup-v2",
        diagnosis: [],
      }),
    );
    expect(done.headline).toBe("The run succeeded.");
    expect(done.facts).toContainEqual({
      label: "Memory",
      value: "peak 64 MiB of the 128 MiB limit (50%; the kernel's memory.peak of its container)",
    });
    // A peak that says no source is an old record's highest sample of the engine's stats: no peak.
    const sampled = diagnosisViewState(
      result({ status: "succeeded", exitCode: 0, oomKilled: false, peakMemoryBytes: 4 * MIB, diagnosis: [] }),
    );
    expect(sampled.facts).toContainEqual({ label: "Memory", value: "128 MiB limit, peak not measured" });

    const live = diagnosisViewState(
      result({ status: "running", exitCode: null, oomKilled: false, diagnosis: [] }),
    );
    expect(live).toMatchObject({ live: true, statusLabel: "Running" });
  });
});
