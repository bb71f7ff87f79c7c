import path from "node:path";
import type { Environment } from "../../core/environment/types";
import { summarizeReport, type ParityItem } from "../../core/parity";
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
  return {
    notebookName: path.basename(data.notebookFile),
    ...(data.profileFile ? { profileName: path.basename(data.profileFile) } : {}),
    ...(data.imageTag ? { imageTag: data.imageTag } : {}),
    summary: report.items.length === 0 ? "Matches production" : summarizeReport(report),
    counts: { errors: report.errors, warnings: report.warnings, infos: report.infos },
    ...(report.compared.local ? { localSource: report.compared.local } : {}),
    productionSource: report.compared.image ?? "Production image not built yet",
    sections: comparisonSections(data.local, data.image, report.items),
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

export function comparisonSections(
  local: Environment | undefined,
  image: Environment | undefined,
  items: ParityItem[] = [],
): ComparisonSection[] {
  const sections: ComparisonSection[] = [
    {
      title: "Python",
      rows: [
        row("Version", local?.python.version, image?.python.version),
        row("Implementation", local?.python.implementation, image?.python.implementation),
        row("Platform", platformOf(local), platformOf(image)),
      ],
    },
    {
      title: "Limits",
      rows: [
        row("Memory", memoryOf(local), memoryOf(image)),
        row("Shared memory (/dev/shm)", bytes(local?.shmBytes), bytes(image?.shmBytes)),
        row("CPUs", cpuOf(local), cpuOf(image)),
        row("GPUs", gpusOf(local), gpusOf(image)),
      ],
    },
  ];
  const frameworks = frameworkRows(local, image);
  if (frameworks.length > 0) sections.push({ title: "Frameworks", rows: frameworks });
  const packages = packageRows(local, image, items);
  const differing = packages.filter((row) => row.differs || mentionedIn(items, row.label));
  const same = packages.filter((row) => !differing.includes(row));
  if (differing.length > 0)
    sections.push({ title: "Packages the report names or that differ", rows: differing });
  if (same.length > 0) sections.push({ title: `Other packages (${same.length})`, rows: same, folded: true });
  return sections;
}

function row(label: string, local: string | undefined, production: string | undefined): ComparisonRow {
  const left = local ?? MISSING;
  const right = production ?? MISSING;
  return {
    label,
    local: left,
    production: right,
    differs: local !== undefined && production !== undefined && left !== right,
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
      rows.push(row(label, installed(local), installed(image)));
    }
  }
  if (local?.nvidia.cudaVersion || image?.nvidia.cudaVersion) {
    rows.push(row("Driver CUDA", local?.nvidia.cudaVersion, image?.nvidia.cudaVersion));
  }
  return rows;
}

function mentionedIn(items: ParityItem[], name: string): boolean {
  return items.some((item) => item.subject === name);
}

/** Packages the report talks about first, then other differences, then the rest, by name. */
function packageRows(
  local: Environment | undefined,
  image: Environment | undefined,
  items: ParityItem[],
): ComparisonRow[] {
  if (!local && !image) return [];
  const mentioned = new Set(
    items.map((item) => item.subject).filter((subject): subject is string => !!subject),
  );
  const names = [
    ...new Set([...Object.keys(local?.distributions ?? {}), ...Object.keys(image?.distributions ?? {})]),
  ];
  const rank = (name: string) => {
    if (mentioned.has(name)) return 0;
    return local?.distributions[name] !== image?.distributions[name] ? 1 : 2;
  };
  return names
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, MAX_PACKAGE_ROWS)
    .map((name) => {
      const left = local?.distributions[name];
      const right = image?.distributions[name];
      return {
        label: name,
        local: left ?? (local ? "not installed" : MISSING),
        production: right ?? (image ? "not installed" : MISSING),
        differs: !!local && !!image && left !== right,
      };
    });
}
