import type { ParameterAxisView, TrialRowView } from "../../../../src/protocol/tuning";

export interface Point {
  x: number;
  y: number;
}

export interface PlacedAxis {
  name: string;
  x: number;
  /** The objective's axis, last. */
  objective: boolean;
  ticks: { y: number; label: string }[];
}

export interface PlacedLine {
  trial: string;
  points: Point[];
  /** Its objective's colour; undefined where the trial has no objective (drawn muted, dashed). */
  colour?: string;
  best: boolean;
}

export interface ParallelLayout {
  width: number;
  height: number;
  top: number;
  bottom: number;
  axes: PlacedAxis[];
  lines: PlacedLine[];
  /** The objective's range the colours span, low to high. */
  range?: { min: number; max: number };
}

const MARGIN = { left: 48, right: 72, top: 28, bottom: 16 };

/**
 * Parallel coordinates: an axis per parameter and the objective's axis last, a line per trial
 * through its values. A numeric axis spans the values seen; a categorical one spaces its values
 * evenly. Lines are coloured by objective (viridis, the better end bright); a trial without an
 * objective stops at the last parameter's axis.
 */
export function parallelLayout(
  axes: readonly ParameterAxisView[],
  trials: readonly TrialRowView[],
  objective: { metric: string; type: "maximize" | "minimize" },
  width: number,
  height: number,
): ParallelLayout {
  const top = MARGIN.top;
  const bottom = Math.max(top + 40, height - MARGIN.bottom);
  const values = trials.flatMap((trial) => (trial.objective !== undefined ? [trial.objective] : []));
  const range = values.length > 0 ? { min: Math.min(...values), max: Math.max(...values) } : undefined;
  const count = axes.length + 1;
  const span = Math.max(0, width - MARGIN.left - MARGIN.right);
  const xOf = (index: number) => MARGIN.left + (count === 1 ? span / 2 : (span * index) / (count - 1));
  const numeric = (min: number, max: number) => (value: number) =>
    max === min ? (top + bottom) / 2 : bottom - ((value - min) / (max - min)) * (bottom - top);
  const scales = axes.map((axis) => {
    if (axis.kind === "numeric") {
      const y = numeric(axis.min, axis.max);
      return { y: (value: string) => y(Number(value)), ticks: numericTicks(axis.min, axis.max, y) };
    }
    const step = (bottom - top) / Math.max(1, axis.values.length);
    const y = (value: string) => {
      const index = axis.values.indexOf(value);
      return index < 0 ? undefined : bottom - step * (index + 0.5);
    };
    return { y, ticks: axis.values.map((value) => ({ y: y(value)!, label: value })) };
  });
  const objectiveY = range ? numeric(range.min, range.max) : undefined;
  const placed: PlacedAxis[] = [
    ...axes.map((axis, index) => ({
      name: axis.name,
      x: xOf(index),
      objective: false,
      ticks: scales[index]!.ticks,
    })),
    {
      name: objective.metric,
      x: xOf(axes.length),
      objective: true,
      ticks: range && objectiveY ? numericTicks(range.min, range.max, objectiveY) : [],
    },
  ];
  const lines = trials.map((trial): PlacedLine => {
    const points: Point[] = [];
    axes.forEach((axis, index) => {
      const value = trial.parameters[axis.name];
      const y = value === undefined ? undefined : scales[index]!.y(value);
      if (y !== undefined && Number.isFinite(y)) points.push({ x: xOf(index), y });
    });
    const hasObjective = trial.objective !== undefined && range !== undefined && objectiveY !== undefined;
    if (hasObjective) points.push({ x: xOf(axes.length), y: objectiveY(trial.objective!) });
    return {
      trial: trial.name,
      points,
      ...(hasObjective ? { colour: objectiveColour(trial.objective!, range, objective.type) } : {}),
      best: trial.best,
    };
  });
  return { width, height, top, bottom, axes: placed, lines, ...(range ? { range } : {}) };
}

function numericTicks(
  min: number,
  max: number,
  y: (value: number) => number,
): { y: number; label: string }[] {
  const values = min === max ? [min] : [min, (min + max) / 2, max];
  return values.map((value) => ({ y: y(value), label: formatNumber(value) }));
}

/** "0.0383", "12", "1.2e-5": an axis label, short. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

/** viridis, dark to bright: read by the colour-blind, and printable in grey. */
const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

/** The colour of an objective in its range: bright is better (high when maximizing, low when minimizing). */
export function objectiveColour(
  value: number,
  range: { min: number; max: number },
  type: "maximize" | "minimize",
): string {
  const share = range.max === range.min ? 1 : (value - range.min) / (range.max - range.min);
  const t = Math.min(1, Math.max(0, type === "maximize" ? share : 1 - share));
  const at = t * (VIRIDIS.length - 1);
  const low = Math.floor(at);
  const high = Math.min(VIRIDIS.length - 1, low + 1);
  const mix = at - low;
  const [a, b] = [hex(VIRIDIS[low]!), hex(VIRIDIS[high]!)];
  const channel = (index: number) => Math.round(a[index]! + (b[index]! - a[index]!) * mix);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

function hex(colour: string): number[] {
  return [1, 3, 5].map((start) => parseInt(colour.slice(start, start + 2), 16));
}

/** An SVG path through a line's points. */
export function linePath(points: readonly Point[]): string {
  return points
    .map(
      (point, index) =>
        `${index === 0 ? "M" : "L"} ${Math.round(point.x * 10) / 10} ${Math.round(point.y * 10) / 10}`,
    )
    .join(" ");
}
