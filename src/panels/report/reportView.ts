import path from "node:path";
import type { Environment } from "../../core/environment/types";
import {
  basisLines,
  matchSentence,
  summarizeReport,
  type ParityItem,
  type ProductionFacts,
} from "../../core/parity";
import { sameVersionPrefix } from "../../core/parity/units";
import { formatBytes } from "../../core/profile/quantity";
import type {
  ComparisonRow,
  ComparisonSection,
  ReportItemView,
  ReportViewState,
} from "../../protocol/report";
import type { ReportData } from "../../services/reportStore";

/** Packages shown side by side at most; the items name every difference that matters. */
const MAX_PACKAGE_ROWS = 200;
const MISSING = "—";

/** What the report webview shows: computed here, so the webview only renders. */
export function reportViewState(data: ReportData): ReportViewState {
  const { report } = data;
  const gaps = report.notCompared.map((gap) => gap.short);
  const found = report.items.length === 0 ? "No differences found" : summarizeReport(report);
  const matches = matchSentence(report);
  return {
    notebookName: path.basename(data.notebookFile),
    ...(data.profileFile ? { profileName: path.basename(data.profileFile) } : {}),
    ...(data.imageTag ? { imageTag: data.imageTag } : {}),
    summary: matches ? "Matches production" : [found, ...gaps].join(" · "),
    verdict:
      matches ??
      (report.items.length === 0
        ? "Parity found no differences in what it could compare; it has not compared everything yet."
        : `Parity found ${summarizeReport(report)}.`),
    basis: basisLines(report),
    counts: { errors: report.errors, warnings: report.warnings, infos: report.infos },
    ...(report.compared.local ? { localSource: report.compared.local } : {}),
    productionSource:
      report.compared.image ??
      `Production as ${report.production.profileSource} and ${report.production.requirementsSource} state it (image not built yet)`,
    sections: comparisonSections(data.local, data.image, report.items, report.production),
    items: report.items.map((item) => itemView(item, path.dirname(data.profileFile ?? data.notebookFile))),
  };
}

/** A file as the user knows it: relative to the project when inside it. */
function shortPath(file: string, baseDir: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(baseDir, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function itemView(item: ParityItem, baseDir: string): ReportItemView {
  return {
    code: item.code,
    severity: item.severity,
    message: item.message,
    fix: item.fix,
    ...(item.subject ? { subject: item.subject } : {}),
    ...(item.location
      ? {
          location: `${shortPath(item.location.file, baseDir)}${item.location.line ? `:${item.location.line}` : ""}`,
        }
      : {}),
    ...(item.edit ? { applyTitle: item.edit.title } : {}),
  };
}

/** Where a production value came from, as a row says it. */
const PROBED_IMAGE = "probed image";

/**
 * The two sides, row by row, each row saying where production's value was read (the probed image,
 * the profile, the requirements) and whether the two sides were compared.
 */
export function comparisonSections(
  local: Environment | undefined,
  image: Environment | undefined,
  items: ParityItem[],
  production: ProductionFacts,
): ComparisonSection[] {
  const profile = production.profileSource;
  const fromImage = (value: string | undefined) => ({ value, source: image ? PROBED_IMAGE : "" });
  const stated = (imageValue: string | undefined, profileValue: string) =>
    image
      ? { value: imageValue, source: `${PROBED_IMAGE} (run with ${profile}'s limits)` }
      : { value: profileValue, source: profile };
  const sections: ComparisonSection[] = [
    {
      title: "Python",
      rows: [
        row(
          "Version",
          local?.python.version,
          image
            ? fromImage(image.python.version)
            : { value: production.python || undefined, source: production.python ? profile : "" },
          // "3.11" in the profile is any 3.11.x: compared at the precision it gives.
          (here, there) => sameVersionPrefix(here, there),
        ),
        row("Implementation", local?.python.implementation, fromImage(image?.python.implementation)),
        row("Platform", platformOf(local), fromImage(platformOf(image))),
      ],
    },
    {
      title: "Limits",
      rows: [
        row(
          "Memory",
          memoryOf(local),
          stated(memoryOf(image), `${formatBytes(production.memoryBytes)} limit`),
        ),
        row(
          "Shared memory (/dev/shm)",
          bytes(local?.shmBytes),
          stated(bytes(image?.shmBytes), formatBytes(production.shmBytes)),
        ),
        row(
          "CPUs",
          cpuOf(local),
          stated(
            cpuOf(image),
            production.milliCpu === undefined ? "not stated" : `${production.milliCpu / 1000} (limit)`,
          ),
        ),
        row(
          "GPUs",
          gpusOf(local),
          stated(gpusOf(image), production.gpu === 0 ? "none" : `${production.gpu}`),
        ),
      ],
    },
  ];
  const frameworks = frameworkRows(local, image);
  if (frameworks.length > 0) sections.push({ title: "Frameworks", rows: frameworks });
  const packages = image ? packageRows(local, image, items) : listedPackageRows(local, production, items);
  const differing = packages.filter((row) => row.differs || mentionedIn(items, row.label));
  const same = packages.filter((row) => !differing.includes(row));
  if (differing.length > 0)
    sections.push({ title: "Packages the report names or that differ", rows: differing });
  if (same.length > 0) sections.push({ title: `Other packages (${same.length})`, rows: same, folded: true });
  return sections;
}

/** One row; compared only when both sides are known. `source` empty: production's value is not known yet. */
function row(
  label: string,
  local: string | undefined,
  production: { value: string | undefined; source: string },
  same: (local: string, production: string) => boolean = (a, b) => a === b,
): ComparisonRow {
  const left = local ?? MISSING;
  const right = production.value ?? MISSING;
  const checked = local !== undefined && production.value !== undefined;
  return {
    label,
    local: left,
    production: right,
    source: production.value === undefined ? "not known before the image is built" : production.source,
    checked,
    differs: checked && !same(left, right),
  };
}

function platformOf(environment?: Environment): string | undefined {
  return environment && `${environment.python.platform} ${environment.python.machine}`;
}

function bytes(value: number | undefined): string | undefined {
  return value === undefined ? undefined : formatBytes(value);
}

function memoryOf(environment?: Environment): string | undefined {
  if (!environment) return undefined;
  const { limitBytes, totalBytes } = environment.memory;
  if (limitBytes !== undefined) return `${formatBytes(limitBytes)} limit`;
  return totalBytes !== undefined ? `no limit (${formatBytes(totalBytes)} total)` : "no limit";
}

function cpuOf(environment?: Environment): string | undefined {
  if (!environment) return undefined;
  const { quota, count } = environment.cpu;
  if (quota !== undefined) return `${quota} (limit)`;
  return count !== undefined ? `${count} (no limit)` : undefined;
}

function gpusOf(environment?: Environment): string | undefined {
  if (!environment) return undefined;
  if (environment.gpus.length === 0) return "none";
  return environment.gpus.map((gpu) => gpu.name).join(", ");
}

function frameworkRows(local?: Environment, image?: Environment): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const torch = (environment?: Environment) => {
    const build = environment?.frameworks.torch;
    return build && `${build.version} (${build.cuda ? `CUDA ${build.cuda}` : "CPU"})`;
  };
  const tensorflow = (environment?: Environment) => {
    const build = environment?.frameworks.tensorflow;
    return build && `${build.version} (${build.cuda ? `CUDA ${build.cuda}` : "CPU"})`;
  };
  const jax = (environment?: Environment) => {
    const build = environment?.frameworks.jax;
    return build && `${build.version}${build.backend ? ` (${build.backend})` : ""}`;
  };
  for (const [label, describe] of [
    ["torch", torch],
    ["tensorflow", tensorflow],
    ["jax", jax],
  ] as const) {
    if (describe(local) !== undefined || describe(image) !== undefined) {
      const installed = (environment?: Environment) =>
        describe(environment) ?? (environment && "not installed");
      rows.push(row(label, installed(local), fromImageOf(image, installed(image))));
    }
  }
  if (local?.nvidia.cudaVersion || image?.nvidia.cudaVersion) {
    rows.push(row("Driver CUDA", local?.nvidia.cudaVersion, fromImageOf(image, image?.nvidia.cudaVersion)));
  }
  return rows;
}

function mentionedIn(items: ParityItem[], name: string): boolean {
  return items.some((item) => item.subject === name);
}

function fromImageOf(image: Environment | undefined, value: string | undefined) {
  return { value: image ? value : undefined, source: PROBED_IMAGE };
}

/** Packages the report talks about first, then other differences, then the rest, by name. */
function packageRows(
  local: Environment | undefined,
  image: Environment,
  items: ParityItem[],
): ComparisonRow[] {
  const names = [
    ...new Set([...Object.keys(local?.distributions ?? {}), ...Object.keys(image.distributions)]),
  ];
  return rankedRows(names, items, (name) => {
    const left = local?.distributions[name];
    const right = image.distributions[name];
    return {
      label: name,
      local: left ?? (local ? "not installed" : MISSING),
      production: right ?? "not installed",
      source: PROBED_IMAGE,
      checked: !!local,
      differs: !!local && left !== right,
    };
  });
}

/**
 * Before an image exists, production's packages are what the requirements list: an exact pin is
 * compared with the notebook's version; a range or an unlisted package cannot be.
 */
function listedPackageRows(
  local: Environment | undefined,
  production: ProductionFacts,
  items: ParityItem[],
): ComparisonRow[] {
  const names = [...new Set([...Object.keys(production.listed), ...Object.keys(local?.distributions ?? {})])];
  return rankedRows(names, items, (name) => {
    const left = local?.distributions[name];
    const listed = production.listed[name];
    const pinned = listed?.startsWith("==") && !listed.includes(",") ? listed.slice(2) : undefined;
    const checked = !!local && pinned !== undefined;
    return {
      label: name,
      local: left ?? (local ? "not installed" : MISSING),
      production: listed ?? "not listed",
      source: production.requirementsSource,
      checked,
      differs: checked && left !== pinned,
    };
  });
}

function rankedRows(
  names: string[],
  items: ParityItem[],
  toRow: (name: string) => ComparisonRow,
): ComparisonRow[] {
  const mentioned = new Set(
    items.map((item) => item.subject).filter((subject): subject is string => !!subject),
  );
  const rows = names.map(toRow);
  const rank = (row: ComparisonRow) => (mentioned.has(row.label) ? 0 : row.differs ? 1 : 2);
  return rows.sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label)).slice(0, MAX_PACKAGE_ROWS);
}
