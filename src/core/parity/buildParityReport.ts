import { checkBuilds } from "./checkBuilds";
import { checkImports, checkRequirements, importedDistributions } from "./checkImports";
import { checkLimits } from "./checkLimits";
import { checkDistributions, checkPython } from "./checkVersions";
import type { ParityInput, ParityItem, ParityReport, Severity } from "./types";

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The difference between the notebook's environment and production (the image and the
 * profile's limits), each item with a fix that moves the notebook towards production. Pure.
 */
export function buildParityReport(input: ParityInput): ParityReport {
  const { local, image, profile } = input;
  const requirementsFile = profile.requirementsFile ?? input.requirements.file;
  const items: ParityItem[] = [
    ...checkPython(profile, local, image),
    ...(local && image
      ? checkDistributions(local, image, input.requirements, requirementsFile, importedDistributions(input))
      : []),
    ...checkBuilds(profile, local, image),
    ...checkImports(input, requirementsFile),
    ...checkRequirements(input, requirementsFile),
    ...checkLimits(input),
  ];
  // Stable sort: errors first, each group in the order the checks found them.
  items.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const count = (severity: Severity) => items.filter((item) => item.severity === severity).length;
  return {
    items,
    errors: count("error"),
    warnings: count("warning"),
    infos: count("info"),
    compared: { ...(local ? { local: local.source } : {}), ...(image ? { image: image.source } : {}) },
  };
}
