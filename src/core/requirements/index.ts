export * from "./types";
export { describeSource, parseRequirements } from "./parseRequirements";
export { readRequirements, type RequirementsReader, type RequirementsRoot } from "./readRequirements";
export { quoteOption, splitOptions } from "./shlex";
export { IMPORT_TO_DISTRIBUTION, distributionForImport, normalizeName } from "./names";
export {
  draftNotes,
  draftRequirements,
  requirementsAddition,
  type DraftedRequirement,
  type DraftedRequirements,
  type DraftRequirementsInput,
  type ExistingRequirements,
  type InterpreterPackages,
  type RequirementsAddition,
} from "./draft";
