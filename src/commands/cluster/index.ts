// The cluster commands, bundled as dist/clusterCommands.js and loaded the first time one runs
// (registerCommands.ts): all but the registry sign-in need Kubernetes at once anyway, and
// activation stays free of them.
export { deleteClusterRun } from "./deleteClusterRun";
export { selectClusterContext } from "./selectContext";
export { selectClusterNamespace } from "./selectNamespace";
export { showManifest } from "./showManifest";
export { signInToRegistry } from "./signInToRegistry";
export { runOnCluster } from "../run/runOnCluster";
export { runPipelineOnCluster } from "../pipeline/runPipelineOnCluster";
export { tuneOnCluster } from "../tuning/tuneOnCluster";
export { deployModelToCluster } from "../serving/deployModelToCluster";
export { changeCanary } from "../serving/changeCanary";
export { selectKubeconfig } from "./selectKubeconfig";
export { openClusterDocs } from "./openClusterDocs";
export { explainNoCluster, explainRestricted, explainSubmitDenied } from "./explainRunOnCluster";
