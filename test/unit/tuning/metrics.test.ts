import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS_FILTER, filterProblem } from "../../../src/core/tuning/metricFilters";
import {
  explainMissingMetric,
  metricsAvailable,
  objectiveMetricValue,
  objectiveValue,
  observe,
  parseGoFloat,
  readJsonMetrics,
  readStdOutMetrics,
} from "../../../src/core/tuning/metrics";
import type { MetricReading, MetricsCollector, Objective } from "../../../src/core/tuning/types";

const lines = (...texts: string[]) => texts.map((text) => ({ text }));
const values = (readings: MetricReading[]) => readings.map(({ name, value }) => `${name}=${value}`);
const STDOUT: MetricsCollector = { kind: "StdOut", filters: [DEFAULT_METRICS_FILTER] };
const JSON_FILE: MetricsCollector = { kind: "File", path: "/katib/digits.json", format: "JSON", filters: [] };

describe("readStdOutMetrics: Katib's default filter", () => {
  const read = (texts: string[], names = ["accuracy", "loss"]) =>
    readStdOutMetrics(lines(...texts), names, []);

  it("reads name=value wherever it is on a line, several on one line, each with its line", () => {
    const { readings } = read(["Epoch 1/3", "epoch 1: accuracy=0.81", "accuracy = 0.9 loss=0.25, lr=0.01"]);
    expect(readings).toEqual([
      { name: "accuracy", value: "0.81", line: 2 },
      { name: "accuracy", value: "0.9", line: 3 },
      { name: "loss", value: "0.25", line: 3 },
    ]);
  });

  it("reads exponents, signs and a leading point", () => {
    expect(values(read(["loss=1e-3", "loss=-7.53E+05", "accuracy=.98", "loss=+2"]).readings)).toEqual([
      "loss=1e-3",
      "loss=-7.53E+05",
      "accuracy=.98",
      "loss=+2",
    ]);
  });

  it("does not read name: value, and says so", () => {
    const result = read(["accuracy: 0.9", "accuracy 0.9"]);
    expect(result.readings).toEqual([]);
    expect(result.skipped).toEqual([
      {
        line: 1,
        name: "accuracy",
        kind: "not-name-value",
        written: "0.9",
        reason: "accuracy is not written as accuracy=<number>",
      },
      {
        line: 2,
        name: "accuracy",
        kind: "not-name-value",
        written: "0.9",
        reason: "accuracy is not written as accuracy=<number>",
      },
    ]);
  });

  it("compares names whole: the objective inside another name is no reading of it", () => {
    expect(read(["val_loss=0.3 train-loss=0.2 loss_scale=1"]).readings).toEqual([]);
    expect(read(["val_loss=0.3 train-loss=0.2 loss_scale=1"]).skipped).toEqual([]);
  });

  it("reads '|' as part of a name, so a metric right after one is lost", () => {
    const result = read(["accuracy=0.81|loss=0.2"]);
    expect(values(result.readings)).toEqual(["accuracy=0.81"]);
    expect(result.skipped).toEqual([
      {
        line: 1,
        name: "loss",
        kind: "pipe",
        written: "0.2",
        reason: '"|" before loss makes Katib\'s default filter read the name as "|loss"',
      },
    ]);
    expect(values(read(["accuracy=0.81 | loss=0.2"]).readings)).toEqual(["accuracy=0.81", "loss=0.2"]);
  });

  it("keeps a value that is not a number as Katib does: loss=nan reads as an empty value", () => {
    expect(values(read(["loss=nan", "loss=inf"]).readings)).toEqual(["loss=", "loss="]);
  });

  it("compares names with their case", () => {
    const result = read(["Accuracy=0.9"]);
    expect(result.readings).toEqual([]);
    expect(result.skipped[0]?.reason).toBe('"Accuracy" is not "accuracy"; Katib compares names exactly');
  });

  it("takes a line's time from its first word where that is RFC 3339, else the line's own time", () => {
    const { readings } = readStdOutMetrics(
      [
        { text: "2024-05-01T10:00:00.5Z accuracy=0.8", time: 1 },
        { text: "2024-05-01 10:00:01 accuracy=0.9", time: 2 },
        { text: "accuracy=0.95" },
      ],
      ["accuracy"],
      [],
    );
    expect(readings.map((reading) => reading.time)).toEqual([
      Date.UTC(2024, 4, 1, 10, 0, 0, 500),
      2,
      undefined,
    ]);
  });
});

describe("readStdOutMetrics: custom filters", () => {
  it("reads with the filter of Katib's file-metrics-collector.yaml", () => {
    const filter = String.raw`{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}`;
    const result = readStdOutMetrics(
      lines(
        "{metricName: accuracy, metricValue: 0.8811}",
        "accuracy=0.5",
        "{metricName: loss, metricValue: -0.5}",
      ),
      ["accuracy", "loss"],
      [filter],
    );
    expect(values(result.readings)).toEqual(["accuracy=0.8811", "loss=-0.5"]);
  });

  it("runs every filter over every line", () => {
    const filters = [String.raw`(\w+):\s*([\d.]+)`, DEFAULT_METRICS_FILTER];
    expect(
      values(readStdOutMetrics(lines("accuracy: 0.7 loss=0.3"), ["accuracy", "loss"], filters).readings),
    ).toEqual(["accuracy=0.7", "loss=0.3"]);
  });
});

describe("readJsonMetrics", () => {
  it("reads string values under each metric's name, and the timestamp key", () => {
    const result = readJsonMetrics(
      lines(
        '{"accuracy": "0.81", "loss": "0.4", "timestamp": "2024-05-01T10:00:00Z"}',
        "",
        '{"accuracy": "0.9", "timestamp": 1714557601.5}',
      ),
      ["accuracy", "loss"],
    );
    expect(result.readings).toEqual([
      { name: "accuracy", value: "0.81", line: 1, time: Date.UTC(2024, 4, 1, 10) },
      { name: "loss", value: "0.4", line: 1, time: Date.UTC(2024, 4, 1, 10) },
      // Katib takes the digits after the point as nanoseconds: .5 is 5 ns.
      { name: "accuracy", value: "0.9", line: 3, time: 1714557601 * 1000 + 5 / 1e6 },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it("passes over numbers, as Katib does, and says so", () => {
    const result = readJsonMetrics(lines('{"accuracy": 0.9, "loss": "0.3"}', '{"accuracy": null}'), [
      "accuracy",
      "loss",
    ]);
    expect(values(result.readings)).toEqual(["loss=0.3"]);
    expect(result.skipped).toEqual([
      { line: 1, name: "accuracy", kind: "not-a-string", written: "0.9", reason: "0.9 is not a string" },
      { line: 2, name: "accuracy", kind: "not-a-string", written: "null", reason: "null is not a string" },
    ]);
  });

  it("reads nothing at all when a line is not a JSON object, as Katib's collector fails", () => {
    const result = readJsonMetrics(lines('{"accuracy": "0.9"}', "epoch 2 done", '{"accuracy": "0.95"}'), [
      "accuracy",
    ]);
    expect(result.readings).toEqual([]);
    expect(result.unreadable?.line).toBe(2);
    expect(readJsonMetrics(lines("[1, 2]"), ["accuracy"]).unreadable?.reason).toBe("not a JSON object");
    expect(readJsonMetrics(lines("null"), ["accuracy"])).toEqual({ readings: [], skipped: [] });
  });

  it("notes a key that differs only by case", () => {
    expect(readJsonMetrics(lines('{"Accuracy": "0.9"}'), ["accuracy"]).skipped).toEqual([
      {
        line: 1,
        name: "accuracy",
        kind: "name-case",
        written: "Accuracy",
        reason: 'the key is "Accuracy", not "accuracy"',
      },
    ]);
  });
});

describe("observe", () => {
  const reading = (name: string, value: string, time?: number): MetricReading => ({
    name,
    value,
    ...(time !== undefined && { time }),
  });

  it("keeps min, max and latest as written, latest the last without times", () => {
    const readings = ["0.5", "0.90", "0.7"].map((value) => reading("accuracy", value));
    expect(observe([...readings, reading("loss", "0.3")], ["accuracy", "loss"])).toEqual([
      { name: "accuracy", min: "0.5", max: "0.90", latest: "0.7" },
      { name: "loss", min: "0.3", max: "0.3", latest: "0.3" },
    ]);
  });

  it("takes latest by time, a later reading winning a tie, readings without a time the earliest", () => {
    const readings = [
      reading("loss", "3", 20),
      reading("loss", "1", 10),
      reading("loss", "2", 20),
      reading("loss", "9"),
    ];
    expect(observe(readings, ["loss"])[0]?.latest).toBe("2");
  });

  it("keeps a value that is not a number out of min and max, but as latest", () => {
    expect(observe([reading("loss", "0.4"), reading("loss", "")], ["loss"])).toEqual([
      { name: "loss", min: "0.4", max: "0.4", latest: "" },
    ]);
  });

  it("makes every metric unavailable when the objective was never read", () => {
    expect(observe([reading("loss", "0.3")], ["accuracy", "loss"])).toEqual([
      { name: "accuracy", min: "unavailable", max: "unavailable", latest: "unavailable" },
      { name: "loss", min: "unavailable", max: "unavailable", latest: "unavailable" },
    ]);
  });

  it("observes the metrics named by strategies too", () => {
    expect(observe([reading("accuracy", "1")], ["accuracy"], [{ name: "accuracy" }, { name: "f1" }])).toEqual(
      [
        { name: "accuracy", min: "1", max: "1", latest: "1" },
        { name: "f1", min: "unavailable", max: "unavailable", latest: "unavailable" },
      ],
    );
  });
});

describe("objectiveValue", () => {
  const objective = (value: "min" | "max" | "latest"): Objective => ({
    type: "minimize",
    objectiveMetricName: "loss",
    additionalMetricNames: [],
    metricStrategies: [{ name: "loss", value }],
  });
  const observed = [{ name: "loss", min: "0.1", max: "0.9", latest: "0.5" }];

  it("applies the objective's metricStrategy", () => {
    expect(objectiveValue(observed, objective("min"))).toBe(0.1);
    expect(objectiveValue(observed, objective("max"))).toBe(0.9);
    expect(objectiveValue(observed, objective("latest"))).toBe(0.5);
  });

  it("falls back to latest where min or max has no number, as Katib does", () => {
    const textOnly = [{ name: "loss", min: "unavailable", max: "unavailable", latest: "" }];
    expect(objectiveMetricValue(textOnly, objective("min"))).toBe("");
    expect(objectiveValue(textOnly, objective("min"))).toBeUndefined();
    expect(metricsAvailable(textOnly, "loss")).toBe(true);
  });

  it("is undefined when the objective is unavailable", () => {
    const unavailable = observe([], ["loss"]);
    expect(objectiveValue(unavailable, objective("min"))).toBeUndefined();
    expect(metricsAvailable(unavailable, "loss")).toBe(false);
  });
});

describe("parseGoFloat", () => {
  it("reads what Go's strconv.ParseFloat reads", () => {
    expect(
      ["1", "-0.5", ".5", "5.", "1e-3", "+2E+2", "Inf", "-infinity", "0x1p-2"].map(parseGoFloat),
    ).toEqual([1, -0.5, 0.5, 5, 0.001, 200, Infinity, -Infinity, 0.25]);
    expect(parseGoFloat("NaN")).toBeNaN();
  });

  it("refuses what Go refuses", () => {
    expect(["", " 1", "1_000", "0x10", "1e400", "abc", "1,5"].map(parseGoFloat)).toEqual(
      Array(7).fill(undefined),
    );
  });
});

describe("filterProblem", () => {
  it("accepts Katib's default filter and its example filters", () => {
    expect(filterProblem(DEFAULT_METRICS_FILTER)).toBeUndefined();
    expect(
      filterProblem(String.raw`{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}`),
    ).toBeUndefined();
    expect(filterProblem(String.raw`(?<name>\w+)=(\d+)`)).toBeUndefined();
  });

  it.each([
    [String.raw`(\w+)=(\d+)\1`, "back-reference"],
    [String.raw`(\w+)=(\d+)(?!\d)`, "look-ahead or look-behind"],
    [String.raw`\A(\w+)=(\d+)`, "which Go reads as the start of the text but JavaScript as the letter A"],
    [String.raw`(\w+)=([[:digit:]]+)`, "POSIX class"],
    [String.raw`(?i)(\w+)=(\d+)`, "is not a regular expression Parity can read"],
    [String.raw`(\w+)=(\d+);`, 'contains ";"'],
    [String.raw`accuracy=\d+`, "fewer than two groups"],
  ])("refuses %s", (filter, message) => {
    expect(filterProblem(filter)?.message).toContain(message);
  });
});

describe("explainMissingMetric", () => {
  it("finds name: value in the output and says to print name=value", () => {
    expect(explainMissingMetric(lines("epoch 1", "  accuracy: 0.9  "), "accuracy", STDOUT)).toEqual({
      line: 2,
      text: "accuracy: 0.9",
      fix: 'Print accuracy=0.9 instead: Katib\'s default filter reads name=value, e.g. print(f"accuracy={accuracy}").',
    });
  });

  it("finds a JSON-looking line in the output", () => {
    expect(explainMissingMetric(lines('{"accuracy": 0.9}'), "accuracy", STDOUT)?.fix).toContain(
      "Print accuracy=0.9 instead",
    );
  });

  it("says the name's case must match", () => {
    expect(explainMissingMetric(lines("Accuracy=0.9"), "accuracy", STDOUT)?.fix).toBe(
      "Katib compares names exactly: print accuracy=0.9, not Accuracy=0.9.",
    );
  });

  it("explains the '|' before a name", () => {
    expect(explainMissingMetric(lines("acc=0.8|loss=0.3"), "loss", STDOUT)?.fix).toContain(
      "Put a space before loss",
    );
  });

  it("explains a value that is not a number", () => {
    expect(explainMissingMetric(lines("loss=nan"), "loss", STDOUT)).toMatchObject({
      line: 1,
      text: "loss=nan",
    });
  });

  it("says what to print when no line mentions the metric", () => {
    expect(explainMissingMetric(lines("done"), "accuracy", STDOUT)).toEqual({
      fix: 'No line of the trial\'s output reports accuracy: print accuracy=<number>, e.g. print(f"accuracy={accuracy}").',
    });
  });

  it("says a custom filter does not match", () => {
    const collector: MetricsCollector = { kind: "StdOut", filters: [String.raw`(\w+):\s+([\d.]+)`] };
    expect(explainMissingMetric(lines("accuracy=0.9"), "accuracy", collector)?.fix).toContain(
      "No filter of metricsCollectorSpec reads this line",
    );
  });

  it("is undefined when Katib reads a number", () => {
    expect(explainMissingMetric(lines("accuracy: 0.5", "accuracy=0.9"), "accuracy", STDOUT)).toBeUndefined();
    expect(explainMissingMetric(lines('{"accuracy": "0.9"}'), "accuracy", JSON_FILE)).toBeUndefined();
  });

  it("says to write a JSON number as a string", () => {
    expect(explainMissingMetric(lines('{"accuracy": 0.9}'), "accuracy", JSON_FILE)).toEqual({
      line: 1,
      text: '{"accuracy": 0.9}',
      fix: 'Write the value as a JSON string, "accuracy": "0.9" rather than "accuracy": 0.9: Katib\'s JSON collector takes only strings and passes over anything else. In Python: json.dumps({"accuracy": str(accuracy)}).',
    });
  });

  it("says a JSON metrics file must hold JSON on every line", () => {
    expect(explainMissingMetric(lines('{"accuracy": "0.9"}', "done"), "accuracy", JSON_FILE)).toMatchObject({
      line: 2,
      text: "done",
    });
  });
});
