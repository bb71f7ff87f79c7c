import { posix } from "node:path";
import { JOB_DIR, VENV_DIR, WORKSPACE_DIR } from "../build/dockerfile";
import { DEFAULT_METRICS_FILTER, filterProblem } from "./metricFilters";
import { FieldReader, type Fields, type SpecPath } from "./specFields";
import type { MetricsCollector, Objective } from "./types";

/**
 * An experiment's metricsCollectorSpec, with Katib's defaults (setDefaultMetricsCollector) and its
 * webhook's checks (validateMetricsCollector), and the kinds Parity runs locally: StdOut and File.
 */

/** Where the File collector reads when the spec names no file (common_types.go's DefaultFilePath). */
export const DEFAULT_METRICS_FILE = "/var/log/katib/metrics.log";
/** Katib's other collector kinds (common_types.go), which Parity does not run. */
const KATIB_ONLY_COLLECTORS = ["TensorFlowEvent", "PrometheusMetric", "Custom", "Push"];

export function readCollector(spec: Fields, reader: FieldReader): MetricsCollector {
  const path: SpecPath = ["metricsCollectorSpec"];
  const fields = reader.mapping(spec.metricsCollectorSpec, path) ?? {};
  reader.known(fields, ["source", "collector"], path);
  const collector = reader.mapping(fields.collector, [...path, "collector"]);
  if (collector) reader.known(collector, ["kind", "customCollector"], [...path, "collector"]);
  // Katib makes an absent collector StdOut; a collector with no kind is an invalid kind "".
  const kind = collector ? (reader.text(collector, "kind", [...path, "collector"]) ?? "") : "StdOut";
  const sourcePath = [...path, "source"];
  const source = reader.mapping(fields.source, sourcePath) ?? {};
  reader.known(source, ["httpGet", "fileSystemPath", "filter"], sourcePath);
  const filters = readFilters(source, sourcePath, reader);
  if (kind === "StdOut") return { kind, filters };
  if (kind === "File") return readFileCollector(source, sourcePath, filters, reader);
  const kindPath = [...path, "collector", "kind"];
  if (KATIB_ONLY_COLLECTORS.includes(kind)) {
    reader.problem(
      kindPath,
      `Katib's ${kind} metrics collector is not one Parity runs locally.`,
      "Use StdOut (the notebook prints name=value lines) or File (it writes them to a file) to tune locally.",
    );
  } else {
    reader.problem(
      kindPath,
      kind === ""
        ? "metricsCollectorSpec.collector has no kind."
        : `Katib has no metrics collector "${kind}".`,
      `Write kind: StdOut or kind: File (Katib also has ${KATIB_ONLY_COLLECTORS.join(", ")}, which Parity does not run locally).`,
    );
  }
  return { kind: "StdOut", filters };
}

/** The filter's metricsFormat, or Katib's default filter where it gives none. */
function readFilters(source: Fields, sourcePath: SpecPath, reader: FieldReader): string[] {
  const filterPath = [...sourcePath, "filter"];
  const filter = reader.mapping(source.filter, filterPath);
  if (filter) reader.known(filter, ["metricsFormat"], filterPath);
  const items = reader.list(filter, "metricsFormat", filterPath) ?? [];
  const formats = items.flatMap((item, index) => {
    const at = [...filterPath, "metricsFormat", index];
    const format = reader.textAt(item, at);
    if (format === undefined) return [];
    const problem = filterProblem(format);
    if (problem) reader.problem(at, problem.message, problem.fix);
    return [format];
  });
  return formats.length > 0 ? formats : [DEFAULT_METRICS_FILTER];
}

function readFileCollector(
  source: Fields,
  sourcePath: SpecPath,
  filters: string[],
  reader: FieldReader,
): MetricsCollector {
  const path = [...sourcePath, "fileSystemPath"];
  const fields = reader.mapping(source.fileSystemPath, path) ?? {};
  reader.known(fields, ["path", "kind", "format"], path);
  const file = reader.text(fields, "path", path) || DEFAULT_METRICS_FILE;
  if (!posix.isAbsolute(file)) {
    reader.problem(
      [...path, "path"],
      `The metrics file ${file} is a relative path; Katib requires an absolute path in the trial's container.`,
      `Write the full path, e.g. path: "/katib/${posix.basename(file)}".`,
    );
  }
  const clash = posix.isAbsolute(file) ? folderClash(posix.dirname(posix.normalize(file))) : undefined;
  if (clash) {
    reader.problem(
      [...path, "path"],
      `The metrics file ${file} would be in ${clash}: the trial's metrics folder is mounted over the file's folder, which would hide or break it.`,
      `Use a folder of its own, e.g. path: "${DEFAULT_METRICS_FILE}" (Katib's default).`,
    );
  }
  const kind = reader.text(fields, "kind", path) || "File";
  if (kind !== "File") {
    reader.problem(
      [...path, "kind"],
      `fileSystemPath.kind is "${kind}"; the File collector reads one file.`,
      "Write kind: File, or remove it (File is the default).",
    );
  }
  const format = reader.text(fields, "format", path) || "TEXT";
  if (format !== "TEXT" && format !== "JSON") {
    reader.problem(
      [...path, "format"],
      `The metrics file's format is "${format}"; Katib reads TEXT and JSON.`,
      "Write format: TEXT (name=value lines) or format: JSON (one JSON object per line).",
    );
  }
  if (format === "JSON" && source.filter !== undefined && source.filter !== null) {
    reader.problem(
      [...sourcePath, "filter"],
      "A JSON metrics file takes no filter: Katib reads each metric under its name.",
      "Remove source.filter, or use format: TEXT to read lines with the filter.",
    );
  }
  return {
    kind: "File",
    path: file,
    format: format === "JSON" ? "JSON" : "TEXT",
    filters: format === "JSON" ? [] : filters,
  };
}

/**
 * Names Katib accepts but can never read: its collector is handed the names joined by ";", and
 * its default filter reads names of letters, digits, "_", "-" and "|" only.
 */
export function checkMetricNames(
  objective: Objective,
  collector: MetricsCollector,
  reader: FieldReader,
): void {
  const byDefaultFilter = collector.filters.length === 1 && collector.filters[0] === DEFAULT_METRICS_FILTER;
  const named: [string, SpecPath][] = [
    [objective.objectiveMetricName, ["objective", "objectiveMetricName"]],
    ...objective.additionalMetricNames.map((name, index): [string, SpecPath] => [
      name,
      ["objective", "additionalMetricNames", index],
    ]),
  ];
  for (const [name, at] of named) {
    if (name.includes(";")) {
      reader.problem(
        at,
        `The metric name ${name} contains ";", which Katib uses to separate metric names.`,
        `Rename the metric without ";", e.g. ${name.replace(/;/g, "_")}, in the notebook and here.`,
      );
    } else if (name !== "" && byDefaultFilter && !/^[\w|-]+$/.test(name)) {
      reader.problem(
        at,
        `Katib's default filter reads names made of letters, digits, "_", "-" and "|", so it can never read ${name}.`,
        `Rename the metric, e.g. ${name.replace(/[^\w|-]/g, "_")}, in the notebook and here, or give metricsCollectorSpec a filter that matches it.`,
      );
    }
  }
}

/** Folders of the trial's container a metrics folder cannot be mounted over, or inside (the workspace is mounted read-only). */
const OCCUPIED = [WORKSPACE_DIR, JOB_DIR, VENV_DIR, "/dev", "/proc", "/sys"];
const SYSTEM = [
  "/",
  "/bin",
  "/etc",
  "/lib",
  "/opt",
  "/opt/parity",
  "/root",
  "/sbin",
  "/tmp",
  "/usr",
  "/var",
  "/home",
];

/** Why `folder` cannot hold the metrics file, in words; undefined where it can. */
function folderClash(folder: string): string | undefined {
  if (SYSTEM.includes(folder)) return `the system folder ${folder}`;
  const taken = OCCUPIED.find((each) => folder === each || folder.startsWith(`${each}/`));
  return taken ? `${taken}, which Parity's container uses` : undefined;
}
