// The application layer as the extension loads it: bundled as dist/app.js and required on first
// use (services/app.ts), so Docker, Kubernetes and the profile parser stay out of activation.
// The CLI imports the modules below directly.
export { findProfileFile } from "../core/profile";
export {
  kubeContexts,
  listNamespaces,
  profileClusterOf,
  readKubeContexts,
  type ProfileCluster,
} from "./cluster/contexts";
export { followCluster, type FollowedCluster } from "./cluster/follow";
export { recoverRun, type Recovery } from "./reconcile";
export { buildNotebook, checkParity } from "./job/session";
export { draftProfile, requirementsAdditionFor, type DraftedProfile } from "./job/draft";
export { draftNotes } from "../core/requirements";
export { connectCluster } from "../targets/kube/connection";
export { deleteWorkload } from "./targets/cluster/workloads";
export { followRunEvents } from "./targets/local/events";
export { targetNamed } from "./targets";
export { runStop, type RunStop } from "./targets/stop";
export { checkPipelineFile } from "./pipeline/check";
export { runPipelineLocally } from "./pipeline/runLocal";
export { runPipelineOnCluster } from "./pipeline/runCluster";
export { tuneLocally } from "./tuning/tune";
export { tuneOnCluster } from "./tuning/runCluster";
export { serveLocally } from "./serving/serveLocal";
export { sendRequests, type PredictResult } from "./serving/predict";
export { deployToCluster, type DeployRequest, type Deployed } from "./serving/deployCluster";
export { watchClusterEndpoint } from "./serving/clusterFollow";
