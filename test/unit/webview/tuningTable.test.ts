import { describe, expect, it } from "vitest";
import type { ParameterAxisView, TrialRowView } from "../../../src/protocol/tuning";
import { linePath, objectiveColour, parallelLayout } from "../../../webview-ui/src/lib/tuning/parallel";
import { nextSort, sortTrials } from "../../../webview-ui/src/lib/tuning/sort";

function row(number: number, fields: Partial<TrialRowView>): TrialRowView {
  return {
    name: `t-${number}`,
    number,
    status: "succeeded",
    statusLabel: "Succeeded",
    parameters: {},
    metrics: {},
    opens: [],
    best: false,
    ...fields,
  };
}

const axes: ParameterAxisView[] = [
  { name: "lr", kind: "numeric", min: 0.001, max: 0.1 },
  { name: "optimizer", kind: "categorical", values: ["sgd", "adam"] },
];

const rows = [
  row(1, {
    parameters: { lr: "0.1", optimizer: "sgd" },
    objective: 0.8,
    durationMs: 3000,
    metrics: { loss: { latest: "0.2", min: "0.2", max: "0.3" } },
  }),
  row(2, {
    parameters: { lr: "0.02", optimizer: "adam" },
    objective: 0.9,
    durationMs: 1000,
    metrics: { loss: { latest: "0.1", min: "0.1", max: "0.3" } },
  }),
  row(10, {
    parameters: { lr: "0.001", optimizer: "adam" },
    status: "failed",
    statusLabel: "Failed",
    durationMs: 2000,
  }),
  row(3, {
    parameters: { lr: "0.05", optimizer: "sgd" },
    status: "running",
    statusLabel: "Running",
    startedAt: "2026-12-05T08:00:00Z",
  }),
];
const names = (sorted: TrialRowView[]) => sorted.map((each) => each.name);

describe("the trials table's order", () => {
  it("sorts by trial number, not by the name's text", () => {
    expect(names(sortTrials(rows, { key: "name", descending: false }, axes))).toEqual([
      "t-1",
      "t-2",
      "t-3",
      "t-10",
    ]);
    expect(names(sortTrials(rows, { key: "name", descending: true }, axes))).toEqual([
      "t-10",
      "t-3",
      "t-2",
      "t-1",
    ]);
  });

  it("sorts a numeric parameter by value and a categorical one by text", () => {
    expect(names(sortTrials(rows, { key: "param:lr", descending: false }, axes))).toEqual([
      "t-10",
      "t-2",
      "t-3",
      "t-1",
    ]);
    expect(names(sortTrials(rows, { key: "param:optimizer", descending: false }, axes))).toEqual([
      "t-2",
      "t-10",
      "t-1",
      "t-3",
    ]);
  });

  it("keeps trials without the value last in either direction", () => {
    expect(names(sortTrials(rows, { key: "objective", descending: true }, axes))).toEqual([
      "t-2",
      "t-1",
      "t-3",
      "t-10",
    ]);
    expect(names(sortTrials(rows, { key: "objective", descending: false }, axes))).toEqual([
      "t-1",
      "t-2",
      "t-3",
      "t-10",
    ]);
    expect(names(sortTrials(rows, { key: "metric:loss", descending: false }, axes))).toEqual([
      "t-2",
      "t-1",
      "t-3",
      "t-10",
    ]);
  });

  it("counts a running trial's duration up to now, and sorts by status word", () => {
    const now = Date.parse("2026-12-05T08:00:02.500Z");
    expect(names(sortTrials(rows, { key: "duration", descending: false }, axes, now))).toEqual([
      "t-2",
      "t-10",
      "t-3",
      "t-1",
    ]);
    expect(names(sortTrials(rows, { key: "status", descending: false }, axes))).toEqual([
      "t-10",
      "t-3",
      "t-1",
      "t-2",
    ]);
  });

  it("flips the direction on the same column and starts ascending on another", () => {
    expect(nextSort({ key: "objective", descending: false }, "objective")).toEqual({
      key: "objective",
      descending: true,
    });
    expect(nextSort({ key: "objective", descending: true }, "param:lr")).toEqual({
      key: "param:lr",
      descending: false,
    });
  });
});

describe("the parallel coordinates", () => {
  const layout = parallelLayout(axes, rows, { metric: "accuracy", type: "maximize" }, 600, 260);

  it("has an axis per parameter and the objective's last, evenly spaced", () => {
    expect(layout.axes.map((axis) => [axis.name, axis.x, axis.objective])).toEqual([
      ["lr", 48, false],
      ["optimizer", 288, false],
      ["accuracy", 528, true],
    ]);
    // A categorical axis is labelled with its values, a numeric one with its range.
    expect(layout.axes[1]!.ticks.map((tick) => tick.label)).toEqual(["sgd", "adam"]);
    expect(layout.axes[0]!.ticks.map((tick) => tick.label)).toEqual(["0.001", "0.0505", "0.1"]);
  });

  it("draws a trial through its values, the best bright and the worst dark, and stops where there is no objective", () => {
    const [first, second, failed] = layout.lines;
    expect(first!.points).toEqual([
      { x: 48, y: layout.top },
      { x: 288, y: layout.bottom - (layout.bottom - layout.top) * 0.25 },
      { x: 528, y: layout.bottom },
    ]);
    expect(second!.points.at(-1)).toEqual({ x: 528, y: layout.top });
    expect(second!.colour).toBe("rgb(253, 231, 37)");
    expect(first!.colour).toBe("rgb(68, 1, 84)");
    expect(failed!.points).toHaveLength(2);
    expect(failed!.colour).toBeUndefined();
    expect(linePath(failed!.points)).toMatch(/^M 48 \d+(\.\d)? L 288 \d+(\.\d)?$/);
  });

  it("makes the low end bright when minimizing", () => {
    expect(objectiveColour(0, { min: 0, max: 1 }, "minimize")).toBe("rgb(253, 231, 37)");
    expect(objectiveColour(1, { min: 0, max: 1 }, "minimize")).toBe("rgb(68, 1, 84)");
  });
});
