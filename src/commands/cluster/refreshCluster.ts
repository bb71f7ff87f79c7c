import type { ClusterView } from "../../views/cluster/clusterView";

/** Parity: Refresh Cluster — connects again (after the cluster was unreachable, or a kubeconfig change). */
export function refreshCluster(view: ClusterView): void {
  view.restart();
}
