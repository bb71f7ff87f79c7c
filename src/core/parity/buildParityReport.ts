import { checkBuilds } from "./checkBuilds";
import { checkCudaStack } from "./checkCuda";
import { checkImports, checkRequirements, importedDistributions } from "./checkImports";
import { checkLimits } from "./checkLimits";
import { checkLocalAgainstRequirements, listedVersions } from "./checkLocal";
import { checkDistributions, checkPython } from "./checkVersions";
import type { NotCompared, ParityInput, ParityItem, ParityReport, Severity } from "./types";

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
    ...(local && !image
      ? checkLocalAgainstRequirements(
          local,
          input.requirements,
          requirementsFile,
          importedDistributions(input),
        )
      : []),
    ...checkBuilds(profile, local, image),
    ...checkCudaStack(profile, image),
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
    notCompared: notCompared(input),
    production: {
      profileSource: profile.source ?? "parity.yaml",
      ...(profile.python ? { python: profile.python } : {}),
      memoryBytes: profile.memoryBytes,
      shmBytes: profile.shmBytes,
      gpu: profile.gpu,
      ...(profile.milliCpu !== undefined ? { milliCpu: profile.milliCpu } : {}),
      ...(profile.productionGpu ? { productionGpu: profile.productionGpu } : {}),
      requirementsSource: requirementsFile,
      listed: listedVersions(input.requirements),
    },
    ...(input.lastRun ? { lastRun: input.lastRun } : {}),
  };
}

/**
 * What the caller said it could not compare, and whatever else is missing: a report without an
 * image or without the interpreter says so even when the caller did not explain why.
 */
function notCompared(input: ParityInput): NotCompared[] {
  const given = input.notCompared ?? [];
  const about = (codes: NotCompared["code"][]) => given.some((entry) => codes.includes(entry.code));
  const missing: NotCompared[] = [];
  if (!input.image && !about(["ImageNotBuilt", "EngineUnreachable"])) {
    missing.push({
      code: "ImageNotBuilt",
      short: "requirements only",
      sentence: "no production image was probed: packages compared with the requirements only",
    });
  }
  if (!input.local && !about(["LocalNotProbed", "LocalProbeFailed"])) {
    missing.push({
      code: "LocalNotProbed",
      short: "interpreter not probed",
      sentence: "your notebook's interpreter was not probed: its packages were not compared",
    });
  }
  return [...given, ...missing];
}
