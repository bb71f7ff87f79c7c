export { explainUnschedulable } from "./explain";
export { predictScheduling, type PredictionInput } from "./predict";
export { describeTaint, tolerates, tolerationYaml, untoleratedTaints } from "./taints";
export type {
  ClusterFacts,
  GpuHolder,
  LimitRangeFacts,
  LimitRangeItem,
  NodeFacts,
  NodeResources,
  PodDemand,
  Prediction,
  QuotaFacts,
  Taint,
} from "./types";
