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

  it("shows production as not built when there is no image", () => {
    const state = reportViewState({
      notebookFile: "train.ipynb",
      report: buildParityReport(matchingInput({ image: undefined })),
    });
    expect(state.productionSource).toBe("Production image not built yet");
    expect(state.sections[0]!.rows[0]).toMatchObject({ production: "—", differs: false });
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
