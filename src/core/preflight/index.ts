export { explainUnschedulable } from "./explain";
export { limitRangeFactsFrom, nodeFactsFrom, quotaFactsFrom } from "./fromApi";
export { predictScheduling, type PredictionInput } from "./predict";
export { describeTaint, tolerates, untoleratedTaints } from "./taints";
export type {
  ClusterFacts,
  FactSource,
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
