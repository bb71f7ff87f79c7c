import type { Environment } from "../environment/types";
import type { ParsedRequirements, Requirement } from "../requirements/types";
import { sourceOf } from "./checkImports";
import { isFramework } from "./checkVersions";
import type { ParityItem } from "./types";

/**
 * Before an image exists, production's packages are what the requirements list: the notebook's
 * interpreter is compared with them. A pinned version is what the build installs; a listed
 * package the notebook imports but the interpreter lacks means the notebook cannot run here as it
 * will there.
 */
export function checkLocalAgainstRequirements(
  local: Environment,
  requirements: ParsedRequirements,
  requirementsFile: string,
  imported: ReadonlySet<string>,
): ParityItem[] {
  const items: ParityItem[] = [];
  for (const requirement of firstOfEach(requirements.requirements)) {
    const name = requirement.normalizedName;
    const localVersion = local.distributions[name];
    const pinned = requirement.pinnedVersion;
    const where = sourceOf(requirement, requirementsFile);
    if (localVersion === undefined) {
      if (!imported.has(name)) continue;
      const install = pinned ? `${name}==${pinned}` : name;
      items.push({
        severity: "warning",
        code: "PackageMissingLocal",
        subject: name,
        message: `${where.label} lists ${requirement.text} and the notebook imports it, but your notebook's environment does not have it: the notebook cannot run here as it will in production.`,
        fix: `pip install ${install} in your notebook's environment.`,
        location: where.location,
      });
      continue;
    }
    if (pinned === undefined || pinned === localVersion) continue;
    items.push({
      severity: isFramework(name) ? "error" : "warning",
      code: "PackageVersion",
      subject: name,
      message: `${name} ${localVersion} in your notebook, ${pinned} in ${where.label} (what the image will install).`,
      fix: `pip install ${name}==${pinned} in your notebook's environment.`,
      location: where.location,
    });
  }
  return items;
}

/** A distribution listed twice (a %pip line and the file) is compared once, as pip reads the first. */
function firstOfEach(requirements: Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return requirements.filter((requirement) => {
    if (seen.has(requirement.normalizedName)) return false;
    seen.add(requirement.normalizedName);
    return true;
  });
}

/** What each listed distribution will be in the image, as the requirements say. */
export function listedVersions(requirements: ParsedRequirements): Record<string, string> {
  const listed: Record<string, string> = {};
  for (const requirement of firstOfEach(requirements.requirements)) {
    const specifiers = requirement.specifiers.map((specifier) => `${specifier.operator}${specifier.version}`);
    listed[requirement.normalizedName] = specifiers.length > 0 ? specifiers.join(",") : "any version";
  }
  for (const entry of requirements.unpinnable) {
    if (entry.normalizedName && !(entry.normalizedName in listed))
      listed[entry.normalizedName] = entry.commit ? `commit ${entry.commit}` : `from ${entry.kind}`;
  }
  return listed;
}
