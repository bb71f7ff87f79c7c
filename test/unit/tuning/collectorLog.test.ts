import { describe, expect, it } from "vitest";
import { COLLECTOR_CONTAINER, trialContainers, trialLogLine } from "../../../src/core/tuning/collectorLog";

// Lines as Katib v0.19.0's StdOut collector (cmd/metricscollector/v1beta1/file-metricscollector)
// logs them through klog: the trial's own lines again as Info, its own first line and report.
const klog = (severity: string, text: string) =>
  `${severity}1204 10:15:02.123456      14 main.go:143] ${text}`;

describe("trialLogLine", () => {
  it("keeps every line of the trial's own container as it is", () => {
    expect(trialLogLine("training", "epoch 1: accuracy=0.8")).toBe("epoch 1: accuracy=0.8");
    expect(trialLogLine("training", klog("I", "looks like klog"))).toBe(klog("I", "looks like klog"));
  });

  it("keeps what the collector logs again of the trial, its klog header taken off", () => {
    expect(trialLogLine(COLLECTOR_CONTAINER, klog("I", "epoch 1: accuracy=0.8"))).toBe(
      "epoch 1: accuracy=0.8",
    );
  });

  it("leaves out the collector's own lines: its first line, its report, its warnings, lines without a header", () => {
    for (const own of [
      klog("I", "Trial Name: train-abc-1"),
      klog("I", "Metrics reported. :"),
      klog("I", "Objective metric accuracy is not found in training logs, unavailable value is reported"),
      klog("W", "epoch 1: accuracy=0.8"),
      'metric_logs:{time_stamp:"0001-01-01T00:00:00Z"}',
    ])
      expect(trialLogLine(COLLECTOR_CONTAINER, own), own).toBeUndefined();
  });
});

describe("trialContainers", () => {
  const collector = (path: string) => ({
    name: COLLECTOR_CONTAINER,
    args: ["-t", "train-abc-1", "-m", "accuracy", "-path", path, "-format", "TEXT"],
  });

  it("StdOut: the training container whose output the webhook sent to the collector's file, and the collector's log", () => {
    const pod = {
      spec: {
        containers: [
          { name: "main", command: ["sh", "-c"], args: ["python run.py 1>/var/log/katib/metrics.log 2>&1"] },
          collector("/var/log/katib/metrics.log"),
        ],
      },
    };
    expect(trialContainers(pod)).toEqual({ main: "main", collectorLogsOutput: true });
  });

  it("File: the training container alone (the collector logs the metrics file, not what the trial prints)", () => {
    const pod = {
      spec: {
        containers: [
          { name: "main", command: ["python", "run.py"] },
          collector("/var/log/parity/metrics.json"),
        ],
      },
    };
    expect(trialContainers(pod)).toEqual({ main: "main", collectorLogsOutput: false });
  });

  it("no collector injected: the first container", () => {
    expect(trialContainers({ spec: { containers: [{ name: "main" }] } })).toEqual({
      main: "main",
      collectorLogsOutput: false,
    });
    expect(trialContainers(undefined)).toEqual({ collectorLogsOutput: false });
  });
});
