import type { Environment } from "../environment/types";
import { distributionForImport } from "../requirements/names";
import type { ParsedRequirements, Requirement } from "../requirements/types";
import { isEditableRequirementsFile, pinnedRequirement } from "./edits";
import { STDLIB_FALLBACK } from "./stdlibFallback";
import type { ParityEdit, ParityInput, ParityItem } from "./types";

/** Modules the notebook imports that production will not have. */
export function checkImports(input: ParityInput, requirementsFile: string): ParityItem[] {
  const { local, image, requirements } = input;
  const stdlib = stdlibOf(local, image);
  const workspace = new Set(input.workspaceModules ?? []);
  const listed = listedNames(requirements);
  const items: ParityItem[] = [];
  for (const module of [...new Set(input.notebookImports)].sort()) {
    if (stdlib.has(module) || workspace.has(module)) continue;
    const distribution = distributionForImport(module, {
      ...image?.moduleDistributions,
      ...local?.moduleDistributions,
    });
    const version = local?.distributions[distribution];
    const add = `Add ${distribution}${version ? `==${version}` : ""} to ${requirementsFile}${version ? "" : ", pinned to the version you tested with"}.`;
    const provides = module === distribution ? distribution : `${module} (from ${distribution})`;
    const edit = version ? addRequirement(distribution, version, requirementsFile) : undefined;
    if (image) {
      if (module in image.moduleDistributions || distribution in image.distributions) continue;
      items.push({
        severity: "error",
        code: "ImportMissingImage",
        subject: distribution,
        message: `${input.notebookFile} imports ${provides}, which is not installed in the image.`,
        fix: listed.has(distribution)
          ? `Rebuild the image: ${requirementsFile} already lists ${distribution}.`
          : add,
        ...withEdit(listed.has(distribution) ? undefined : edit),
      });
    } else if (!listed.has(distribution)) {
      items.push({
        severity: "error",
        code: "ImportMissingRequirements",
        subject: distribution,
        message: `${input.notebookFile} imports ${provides}, but ${requirementsFile} does not list it.`,
        fix: add,
        ...withEdit(edit),
      });
    }
  }
  return items;
}

function addRequirement(
  distribution: string,
  version: string,
  requirementsFile: string,
): ParityEdit | undefined {
  if (!isEditableRequirementsFile(requirementsFile)) return undefined;
  return {
    title: `Add ${distribution}==${version} to ${fileName(requirementsFile)}`,
    file: requirementsFile,
    newText: `${distribution}==${version}`,
  };
}

/** The edit that pins a listed requirement where it was written, when that is a requirements file. */
export function pinEdit(
  requirement: Requirement,
  version: string,
  requirementsFile: string,
): ParityEdit | undefined {
  const { location } = sourceOf(requirement, requirementsFile);
  if (location.line === undefined || !isEditableRequirementsFile(location.file, location.line))
    return undefined;
  const newText = pinnedRequirement(requirement, version);
  return {
    title: `Pin ${requirement.normalizedName}==${version} in ${fileName(location.file)}`,
    file: location.file,
    line: location.line,
    oldText: requirement.text,
    newText,
  };
}

/** The file's name, for a button label (reports may name files by absolute path). */
function fileName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

export function withEdit(edit: ParityEdit | undefined): { edit?: ParityEdit } {
  return edit ? { edit } : {};
}

/** Where a requirement was written: the requirements file, or a %pip line or -r file merged into it. */
export function sourceOf(
  requirement: { file?: string; line: number },
  requirementsFile: string,
): { label: string; location: { file: string; line?: number } } {
  const file = requirement.file ?? requirementsFile;
  const line = requirement.line > 0 ? requirement.line : undefined;
  return { label: line ? `${file}:${line}` : file, location: line ? { file, line } : { file } };
}

/** The distributions that provide what the notebook imports (as far as the environments say). */
export function importedDistributions(input: ParityInput): Set<string> {
  const known = { ...input.image?.moduleDistributions, ...input.local?.moduleDistributions };
  return new Set(input.notebookImports.map((module) => distributionForImport(module, known)));
}

function stdlibOf(local?: Environment, image?: Environment): ReadonlySet<string> {
  const probed = [...(local?.stdlibModules ?? []), ...(image?.stdlibModules ?? [])];
  return probed.length > 0 ? new Set(probed) : STDLIB_FALLBACK;
}

function listedNames(requirements: ParsedRequirements): Set<string> {
  const names = new Set(requirements.requirements.map((requirement) => requirement.normalizedName));
  for (const entry of requirements.unpinnable) if (entry.normalizedName) names.add(entry.normalizedName);
  return names;
}

/** Requirements that let each build install something different, and lines that are not requirements. */
export function checkRequirements(input: ParityInput, requirementsFile: string): ParityItem[] {
  const { requirements, local, image } = input;
  const items: ParityItem[] = [];
  for (const problem of requirements.problems) {
    items.push({
      severity: "error",
      code: "RequirementInvalid",
      message: `${sourceOf(problem, requirementsFile).label}: ${problem.message}.`,
      fix: problem.fix ?? "Write it as name==version (for example numpy==1.26.4), or remove the line.",
      location: sourceOf(problem, requirementsFile).location,
    });
  }
  for (const requirement of requirements.requirements) {
    if (requirement.pinnedVersion !== undefined) continue;
    const name = requirement.normalizedName;
    const known = image?.distributions[name] ?? local?.distributions[name];
    const from = image?.distributions[name] ? "the image's version" : "your notebook's version";
    items.push({
      severity: "warning",
      code: "RequirementUnpinned",
      subject: name,
      message: `${sourceOf(requirement, requirementsFile).label}: ${requirement.text} is not pinned, so each build may install a different version.`,
      fix: known
        ? `Pin ${name}==${known} in ${requirementsFile} (${from}).`
        : `Pin ${name}==<the version you tested with> in ${requirementsFile} (pip show ${name}).`,
      location: sourceOf(requirement, requirementsFile).location,
      ...withEdit(known ? pinEdit(requirement, known, requirementsFile) : undefined),
    });
  }
  for (const entry of requirements.unpinnable) {
    if (entry.commit) continue;
    items.push({
      severity: "warning",
      code: "RequirementUnpinnable",
      ...(entry.normalizedName ? { subject: entry.normalizedName } : {}),
      message: `${sourceOf(entry, requirementsFile).label}: ${entry.text} installs from a ${entry.kind === "vcs" ? "repository" : entry.kind === "url" ? "URL" : "local path"} that no version pins.`,
      fix:
        entry.kind === "vcs"
          ? "Pin a commit: end the URL with @<commit hash>."
          : "Publish it to your package index and pin name==version, or point at a versioned wheel file.",
      location: sourceOf(entry, requirementsFile).location,
    });
  }
  return items;
}
