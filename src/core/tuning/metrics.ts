import { compileFilter, DEFAULT_METRICS_FILTER } from "./metricFilters";
import type { MetricReading, MetricsCollector, ObservedMetric } from "./types";

/**
 * Katib v0.19's metrics collectors, as its sidecar reads a trial's output
 * (pkg/metricscollector/v1beta1/file-metricscollector/file-metricscollector.go) and as its trial
 * controller turns the readings into an observation (pkg/controller.v1beta1/trial/trial_controller_util.go).
 * Besides what Katib reads, the readers say what it passed over, so the doctor can explain it.
 */

/** What Katib writes where a trial reported no value (pkg/controller.v1beta1/consts). */
export const UNAVAILABLE = "unavailable";

export interface LogLine {
  text: string;
  /** Milliseconds since the epoch: the time the line was written, where known. */
  time?: number;
}

/** A value of a metric Katib did not take. */
export interface SkippedMetric {
  /** 1-based line. */
  line: number;
  name: string;
  /**
   * `not-a-string`: a JSON value that is not text (`written` is its JSON); `name-case`: the name
   * written in another case (`written` is that name); `not-name-value`: `name: value` or the like
   * where the filter wants `name=value`, and `pipe`: a "|" right before the name, which Katib's
   * default filter reads as part of it (`written` is the value).
   */
  kind: "not-a-string" | "name-case" | "not-name-value" | "pipe";
  written: string;
  reason: string;
}

export interface MetricsRead {
  readings: MetricReading[];
  skipped: SkippedMetric[];
  /** JSON only: a line that is not a JSON object. Katib's collector then fails and reports nothing. */
  unreadable?: { line: number; reason: string };
}

/**
 * The StdOut collector, and the File collector's TEXT format: every filter is run over every line
 * and each match whose first group is exactly a metric's name is a reading (a line may hold
 * several). Names are compared whole, so `val_loss=0.3` is no reading of `loss`; the value is kept
 * as written, even when it is not a number.
 */
export function readStdOutMetrics(lines: LogLine[], metricNames: string[], filters: string[]): MetricsRead {
  const patterns = (filters.length > 0 ? filters : [DEFAULT_METRICS_FILTER]).map(compileFilter);
  const readings: MetricReading[] = [];
  const skipped: SkippedMetric[] = [];
  const lookalikes = metricNames.map((name) => ({ name, find: lookalikeFinder(name) }));
  lines.forEach(({ text, time }, index) => {
    const line = index + 1;
    const read = new Set<string>();
    // Katib looks only at lines that mention a metric; every reading's name is on its line anyway.
    if (metricNames.some((name) => text.includes(name))) {
      const at = leadingTimestamp(text) ?? time;
      for (const match of patterns.flatMap((pattern) => [...text.matchAll(pattern)])) {
        const name = (match[1] ?? "").trim();
        if (match.length < 3 || !metricNames.includes(name)) continue;
        readings.push({ name, value: (match[2] ?? "").trim(), line, ...(at !== undefined && { time: at }) });
        read.add(name);
      }
    }
    for (const { name, find } of lookalikes) {
      const lookalike = read.has(name) ? undefined : find(text);
      if (lookalike)
        skipped.push({
          line,
          name,
          kind: lookalike.kind,
          written: lookalike.written,
          reason: lookalike.reason,
        });
    }
  });
  return { readings, skipped };
}

/**
 * The File collector's JSON format: one JSON object per line, a metric's value under its name.
 * Katib takes only string values (`"accuracy": "0.9"`); a number is passed over without a word.
 * The time is the object's `timestamp` (RFC 3339 text or seconds). A line that is not JSON makes
 * Katib's collector fail, so nothing is read at all.
 */
export function readJsonMetrics(lines: LogLine[], metricNames: string[]): MetricsRead {
  const readings: MetricReading[] = [];
  const skipped: SkippedMetric[] = [];
  for (const [index, { text, time }] of lines.entries()) {
    const line = index + 1;
    // Only a truly empty line is passed over; one of spaces is a JSON error to Katib too.
    if (text.length === 0) continue;
    const object = parseJsonObject(text);
    if (typeof object === "string") return { readings: [], skipped, unreadable: { line, reason: object } };
    if (object === null) continue;
    const at = jsonTimestamp(object.timestamp) ?? time;
    for (const name of metricNames) {
      const value = object[name];
      if (typeof value === "string") {
        readings.push({ name, value, line, ...(at !== undefined && { time: at }) });
      } else if (name in object) {
        const written = JSON.stringify(value);
        skipped.push({ line, name, kind: "not-a-string", written, reason: `${written} is not a string` });
      } else {
        const other = Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());
        if (other) {
          skipped.push({
            line,
            name,
            kind: "name-case",
            written: other,
            reason: `the key is "${other}", not "${name}"`,
          });
        }
      }
    }
  }
  return { readings, skipped };
}

/** The object on a line, null for JSON `null` (Go reads it as an empty map), or why it is not one. */
function parseJsonObject(text: string): Record<string, unknown> | null | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  return value as Record<string, unknown>;
}

/**
 * A trial's observation of each metric, as Katib's trial controller computes it: min and max over
 * the values that are numbers (kept as written), latest the value with the latest time, a later
 * reading winning a tie (readings without a time count as Katib's zero time). When the objective
 * (`metricNames[0]`) was never read, Katib's collector reports only "unavailable" for it, so every
 * metric is unavailable, the others' readings dropped with it. Katib observes each metric named by
 * a metricStrategy, so `strategies` may add names the collector never reads (always unavailable).
 */
export function observe(
  readings: MetricReading[],
  metricNames: string[],
  strategies: { name: string }[] = [],
): ObservedMetric[] {
  const names = [...new Set([...metricNames, ...strategies.map((strategy) => strategy.name)])];
  const observed = names.map((name) => ({ name, min: UNAVAILABLE, max: UNAVAILABLE, latest: UNAVAILABLE }));
  if (!readings.some((reading) => reading.name === metricNames[0])) return observed;
  const latestTimes = new Map<string, number>();
  for (const reading of readings) {
    const metric = observed.find((candidate) => candidate.name === reading.name);
    if (!metric) continue;
    const value = parseGoFloat(reading.value);
    if (value !== undefined) {
      if (metric.min === UNAVAILABLE) {
        metric.min = reading.value;
        metric.max = reading.value;
      } else if (value < (parseGoFloat(metric.min) ?? NaN)) {
        metric.min = reading.value;
      } else if (value > (parseGoFloat(metric.max) ?? NaN)) {
        metric.max = reading.value;
      }
    }
    const time = reading.time ?? GO_ZERO_TIME;
    const latest = latestTimes.get(reading.name);
    if (latest === undefined || !(latest > time)) {
      latestTimes.set(reading.name, time);
      metric.latest = reading.value;
    }
  }
  return observed;
}

/** Go's time.Time{} in milliseconds since the epoch: 0001-01-01T00:00:00Z. */
const GO_ZERO_TIME = -62135596800000;

interface ObjectiveOfMetrics {
  objectiveMetricName: string;
  metricStrategies: { name: string; value: "min" | "max" | "latest" }[];
}

/**
 * The objective's value as Katib's experiment controller takes it (getObjectiveMetricValue in
 * status_util.go): by the objective's metricStrategy, falling back to latest where min or max has
 * no number; "unavailable" when the trial has none.
 */
export function objectiveMetricValue(observed: ObservedMetric[], objective: ObjectiveOfMetrics): string {
  const name = objective.objectiveMetricName;
  const strategy = objective.metricStrategies.find((candidate) => candidate.name === name)?.value;
  const metric = observed.find((candidate) => candidate.name === name);
  if (!metric || !strategy) return UNAVAILABLE;
  if (strategy === "latest") return metric.latest;
  const extreme = strategy === "min" ? metric.min : metric.max;
  return extreme === UNAVAILABLE ? metric.latest : extreme;
}

/** The objective as a number; undefined where Katib has none ("metrics unavailable") or not a number. */
export function objectiveValue(
  observed: ObservedMetric[],
  objective: ObjectiveOfMetrics,
): number | undefined {
  return parseGoFloat(objectiveMetricValue(observed, objective));
}

/**
 * Whether Katib counts the trial's metrics as reported (IsObservationAvailable): the objective's
 * latest value is not "unavailable". A trial whose job succeeded without it is "metrics unavailable".
 */
export function metricsAvailable(observed: ObservedMetric[], objectiveMetricName: string): boolean {
  const latest = observed.find((metric) => metric.name === objectiveMetricName)?.latest;
  return latest !== undefined && latest !== UNAVAILABLE;
}

/**
 * Go's strconv.ParseFloat, which decides what Katib counts as a number: decimals with an optional
 * exponent, inf/infinity/nan in any case, and hexadecimal mantissas with a p exponent; no spaces,
 * no underscores, nothing empty. A value beyond float64's range is an error in Go.
 */
export function parseGoFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]?.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text);
  if (hex && `${hex[2]}${hex[3]}` !== "") {
    const digits = `${hex[2]}${hex[3]}`;
    const value = parseInt(digits, 16) * 2 ** (Number(hex[4]) - 4 * (hex[3] ?? "").length);
    if (!Number.isFinite(value)) return undefined;
    return hex[1] === "-" ? -value : value;
  }
  return undefined;
}

/** Katib's time of a TEXT line: its first word, where that is an RFC 3339 time. */
function leadingTimestamp(text: string): number | undefined {
  const space = text.indexOf(" ");
  return space < 0 ? undefined : parseRfc3339(text.slice(0, space));
}

/**
 * Katib's time of a JSON line (parseTimestamp): RFC 3339 text, or seconds as a number, whose
 * digits after the point Katib takes as nanoseconds (1.5 is one second and 5 ns).
 */
function jsonTimestamp(value: unknown): number | undefined {
  if (typeof value === "string") return parseRfc3339(value);
  if (typeof value !== "number") return undefined;
  const text = String(value);
  const match = /^(-?\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 1000 + Number(match[2] ?? "0") / 1e6;
}

/** Go's time.Parse(time.RFC3339Nano, ...): a full date and time, optional fraction, Z or an offset. */
function parseRfc3339(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
    text,
  );
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!valid) return undefined;
  const offset = match[9] ? (match[9] === "-" ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11])) : 0;
  return date.getTime() + Number(match[7] ?? "0") * 1000 - offset * 60_000;
}

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;

/** A line that seems to report a metric in a shape the collector does not read. */
type Lookalike = Pick<SkippedMetric, "kind" | "written" | "reason"> & { value: string };

/** Finds `accuracy: 0.9`, `accuracy 0.9`, `"accuracy": 0.9`, `Accuracy=0.9`, `x|accuracy=0.9`. */
function lookalikeFinder(name: string): (text: string) => Lookalike | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(
    String.raw`(^|[^\w-])(["']?)(${escaped})\2\s*(?:[:=]\s*|\s+)["']?(${NUMBER})`,
    "i",
  );
  return (text) => {
    const match = pattern.exec(text);
    if (!match) return undefined;
    const [, before, , written = name, value = ""] = match;
    if (written !== name) {
      return {
        kind: "name-case",
        written,
        value,
        reason: `"${written}" is not "${name}"; Katib compares names exactly`,
      };
    }
    if (before === "|") {
      return {
        kind: "pipe",
        written: value,
        value,
        reason: `"|" before ${name} makes Katib's default filter read the name as "|${name}"`,
      };
    }
    return {
      kind: "not-name-value",
      written: value,
      value,
      reason: `${name} is not written as ${name}=<number>`,
    };
  };
}

/** A line where the trial seems to have meant to report a metric, and the change that makes Katib read it. */
export interface MissingMetricExplanation {
  line?: number;
  text?: string;
  fix: string;
}

/**
 * Why Katib's collector would find no number for `metricName` in these lines (a trial's output for
 * StdOut, its metrics file for File): the line that seems to have meant it and the exact change,
 * or a fix for when no line mentions it. Undefined when the collector does read a number.
 */
export function explainMissingMetric(
  lines: { text: string }[],
  metricName: string,
  collector: MetricsCollector,
): MissingMetricExplanation | undefined {
  if (collector.kind === "File" && collector.format === "JSON")
    return explainJson(lines, metricName, collector.path);
  const read = readStdOutMetrics(lines, [metricName], collector.filters);
  if (read.readings.some((reading) => parseGoFloat(reading.value) !== undefined)) return undefined;
  const custom = collector.filters.some((filter) => filter !== DEFAULT_METRICS_FILTER);
  const odd = read.readings[0];
  if (odd?.line !== undefined) {
    const why = custom ? "" : " (nan and inf are not numbers to Katib's default filter)";
    return {
      ...at(lines, odd.line),
      fix: `Katib reads "${odd.value}" as the value of ${metricName}, which is not a number: print a number, e.g. ${metricName}=0.91${why}.`,
    };
  }
  const find = lookalikeFinder(metricName);
  for (const [index, { text }] of lines.entries()) {
    const lookalike = find(text);
    if (!lookalike) continue;
    const wanted = `${metricName}=${lookalike.value}`;
    const fix = custom
      ? `No filter of metricsCollectorSpec reads this line: print it so that ${collector.filters.join(" or ")} matches it with the name ${metricName}, or change the filter.`
      : {
          "name-case": `Katib compares names exactly: print ${wanted}, not ${lookalike.written}=${lookalike.value}.`,
          pipe: `Put a space before ${metricName} (… | ${wanted}): Katib's default filter counts "|" as part of a name, so it reads "|${metricName}".`,
          "not-name-value": `Print ${wanted} instead: Katib's default filter reads name=value, e.g. print(f"${metricName}={${metricName}}").`,
          "not-a-string": "",
        }[lookalike.kind];
    return { ...at(lines, index + 1), fix };
  }
  return { fix: noLineFix(metricName, collector, custom) };
}

function noLineFix(metricName: string, collector: MetricsCollector, custom: boolean): string {
  if (custom) {
    return `No line matches a filter of metricsCollectorSpec (${collector.filters.join(" or ")}) with the name ${metricName}: report ${metricName} in a form one of them reads, or change the filter.`;
  }
  const line = `f"${metricName}={${metricName}}"`;
  return collector.kind === "File"
    ? `No line of ${collector.path} reports ${metricName}: write a line ${metricName}=<number> to it, e.g. print(${line}, file=metrics_file).`
    : `No line of the trial's output reports ${metricName}: print ${metricName}=<number>, e.g. print(${line}).`;
}

function explainJson(
  lines: { text: string }[],
  metricName: string,
  path: string,
): MissingMetricExplanation | undefined {
  const read = readJsonMetrics(lines, [metricName]);
  if (read.unreadable) {
    return {
      ...at(lines, read.unreadable.line),
      fix: `Write exactly one JSON object per line to ${path}: this line is ${read.unreadable.reason}, and Katib's collector reports no metric at all from a file with such a line.`,
    };
  }
  if (read.readings.some((reading) => parseGoFloat(reading.value) !== undefined)) return undefined;
  const odd = read.readings[0];
  if (odd?.line !== undefined) {
    return {
      ...at(lines, odd.line),
      fix: `Katib reads "${odd.value}" as the value of ${metricName}, which is not a number: write a number as a string, e.g. "${metricName}": "0.91".`,
    };
  }
  const skipped = read.skipped[0];
  if (skipped) {
    const number = parseGoFloat(skipped.written) !== undefined;
    return {
      ...at(lines, skipped.line),
      fix:
        skipped.kind === "name-case"
          ? `Katib compares names exactly: write the key "${metricName}", not "${skipped.written}".`
          : `Write the value as a JSON string, ${number ? `"${metricName}": "${skipped.written}" rather than "${metricName}": ${skipped.written}` : `e.g. "${metricName}": "0.91"`}: Katib's JSON collector takes only strings and passes over anything else. In Python: json.dumps({"${metricName}": str(${metricName})}).`,
    };
  }
  return {
    fix: `No line of ${path} has "${metricName}": write one JSON object per line with the value as a string, e.g. {"${metricName}": "0.91"}.`,
  };
}

function at(lines: { text: string }[], line: number): { line: number; text: string } {
  return { line, text: (lines[line - 1]?.text ?? "").trim() };
}
