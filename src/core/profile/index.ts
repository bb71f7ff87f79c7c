export type {
  BuildSpec,
  ClusterSpec,
  DistributedKind,
  DistributedSpec,
  ImageSpec,
  Profile,
  ProfilePaths,
  QuantityText,
  ResolvedProfile,
  ResourceLimits,
  ResourceSpec,
  Toleration,
} from "./types";
export {
  bytesToQuantity,
  ceilQuantity,
  formatBytes,
  milliCpuToQuantity,
  parseQuantity,
  quantityToBytes,
  quantityToMilliCpu,
  quantityToNanoCpus,
  suggestQuantityFix,
  type Quantity,
  type QuantityKind,
} from "./quantity";
export { MIN_MEMORY_BYTES, MIN_MILLI_CPU, MIN_SHM_BYTES } from "./checks";
export {
  DEFAULT_OUTPUTS,
  DEFAULT_PYTHON,
  DEFAULT_RESOURCES,
  PROFILE_API_VERSION,
  defaultBaseImage,
  defaultProfile,
  defaultProfileDocument,
} from "./defaults";
export { parseProfile, profileSchema } from "./parse";
export { DEFAULT_REQUIREMENTS, nameFromFolder, resolveProfile } from "./resolve";
export { renderProfileYaml } from "./render";
export { PROFILE_FILE_NAMES, findProfileFile, loadProfile } from "./load";
