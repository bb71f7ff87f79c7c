import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import type { RunResult } from "../../../src/core/job/types";
import { doctorVerdict } from "../../../src/core/tuning/doctor";
import { readExperiment } from "../../../src/core/tuning/experiment";
import type { TrialState } from "../../../src/core/tuning/types";

const FILE = "/work/train/experiment.yaml";

const experiment = (collector = "") =>
  readExperiment(
    `objective:
  type: maximize
  objectiveMetricName: accuracy
algorithm:
  algorithmName: random
parallelTrialCount: 2
maxTrialCount: 6
parameters:
  - name: lr
    parameterType: double
    feasibleSpace:
      min: "0.01"
      max: "0.1"
${collector}`,
    FILE,
  );

const trial = (status: TrialState["status"], extra: Partial<TrialState> = {}): TrialState => ({
  name: "train-1",
  status,
  parameters: [{ name: "lr", value: "0.05" }],
  runId: "train-1-x",
  ...extra,
});

const run = (extra: Partial<RunResult>): RunResult => ({
  runId: "train-1-x",
  target: "local",
  status: "failed",
  exitCode: 137,
  oomKilled: false,
  image: "i",
  notebook: "n",
  memoryLimitBytes: 128 * 1024 * 1024,
  diagnosis: [],
  ...extra,
});

describe("doctorVerdict", () => {
  it("lets the others start when the first trial reported its objective", () => {
    expect(
      doctorVerdict({
        experiment: experiment(),
        trial: trial("succeeded", { objective: 0.9 }),
        lines: [],
        remaining: 5,
      }),
    ).toBeUndefined();
  });

  it("refuses after an out-of-memory trial, naming the limit and how many were not started", () => {
    const verdict = doctorVerdict({
      experiment: experiment(),
      trial: trial("failed"),
      run: run({ oomKilled: true }),
      lines: [],
      remaining: 5,
    });
    expect(verdict?.code).toBe("DoctorTrialOutOfMemory");
    expect(verdict?.message).toContain("128 MiB");
    expect(verdict?.message).toContain("the other 5 were not started");
    const last = doctorVerdict({
      experiment: experiment(),
      trial: trial("failed"),
      run: run({ oomKilled: true }),
      lines: [],
      remaining: 1,
    });
    expect(last?.message).toContain("the other one was not started");
  });

  it("refuses a first trial whose objective Katib read as no number (accuracy=nan), which would leave the search blind", () => {
    const verdict = doctorVerdict({
      experiment: experiment(),
      trial: trial("succeeded"),
      lines: [{ text: "accuracy=nan" }],
      remaining: 5,
    });
    expect(verdict?.code).toBe("DoctorMetricNotCollected");
    expect(verdict?.message).toContain("not a number");
    expect(verdict?.message).not.toContain("metrics unavailable");
  });

  it("says the line that meant to report the metric, and the fix", () => {
    const verdict = doctorVerdict({
      experiment: experiment(),
      trial: trial("metrics-unavailable"),
      lines: [{ text: "starting" }, { text: "accuracy: 0.91" }],
      remaining: 5,
    });
    expect(verdict?.message).toContain('Line 2 of its output reads "accuracy: 0.91"');
    expect(verdict?.fix).toContain("accuracy=0.91");
  });
});

describe("a File collector's path", () => {
  const withPath = (path: string) => `metricsCollectorSpec:
  collector:
    kind: File
  source:
    fileSystemPath:
      path: ${path}
      kind: File
      format: TEXT
`;

  it.each([
    "/metrics.log",
    "/workspace/metrics.log",
    "/workspace/out/m.log",
    "/opt/parity/job/m.log",
    "/tmp/m.log",
  ])(
    "refuses %s, where the trial's metrics folder would be mounted over Parity's or the system's",
    (path) => {
      let error: ParityError | undefined;
      try {
        experiment(withPath(path));
      } catch (caught) {
        error = caught as ParityError;
      }
      expect(error).toBeInstanceOf(ParityError);
      const detail = error!.details.find((each) => each.message.includes("mounted over"));
      expect(detail?.fix).toContain("/var/log/katib/metrics.log");
      expect(detail?.location?.line).toBe(19);
    },
  );

  it("takes Katib's default folder", () => {
    expect(experiment(withPath("/var/log/katib/metrics.log")).spec.metricsCollector).toMatchObject({
      kind: "File",
      path: "/var/log/katib/metrics.log",
    });
  });
});
