export { podDemand, podDemands, containerRequests } from "./demands";
export {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NOTEBOOK_ANNOTATION,
  PROFILE_LABEL,
  PROTECTED_NAMESPACE_LABEL,
  RUN_LABEL,
  labelValue,
  parityAnnotations,
  parityLabels,
  runSelector,
} from "./labels";
export { jobNameFor, workloadResource, type WorkloadResource } from "./names";
export { GPU_RESOURCE } from "./podTemplate";
export { renderManifest } from "./render";
export { buildWorkload, type ManifestInput } from "./workload";
