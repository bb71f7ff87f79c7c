export * from "./types";
export { parseRequirements } from "./parseRequirements";
export { IMPORT_TO_DISTRIBUTION, distributionForImport, normalizeName } from "./names";
