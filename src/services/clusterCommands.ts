// The cluster commands, bundled in dist/services.js and loaded when one first runs: all but the
// registry sign-in need Kubernetes (in that file) at once anyway, and activation stays free of them.
export { deleteClusterRun } from "../commands/cluster/deleteClusterRun";
export { selectClusterContext } from "../commands/cluster/selectContext";
export { selectClusterNamespace } from "../commands/cluster/selectNamespace";
export { showManifest } from "../commands/cluster/showManifest";
export { signInToRegistry } from "../commands/cluster/signInToRegistry";
export { runOnCluster } from "../commands/run/runOnCluster";
