import type { ClusterSnapshot } from "./snapshot";

/**
 * What stands between the Cluster view and a cluster: no kubeconfig file at all, a file chosen in
 * the Parity › Cluster: Kubeconfig setting that is gone, or a kubeconfig that chooses no context.
 * The view then shows its welcome content (what Parity looked for, and how to fix it) instead of
 * rows; "ready" covers everything the rows explain themselves (connecting, a named context that is
 * missing or unreachable, a broken file).
 */
export type ClusterSetup = "ready" | "noKubeconfig" | "chosenKubeconfigMissing" | "noContext";

/**
 * Where the kubeconfig stands: a file found; none of KUBECONFIG's files or ~/.kube/config exists;
 * or the file the setting names is gone (the setting replaces KUBECONFIG, so nothing else is read).
 */
export type KubeconfigPresence = "found" | "none" | "chosenMissing";

export function clusterSetup(snapshot: ClusterSnapshot, kubeconfig: () => KubeconfigPresence): ClusterSetup {
  // First: a context named in parity.yaml or the settings is no cluster without a kubeconfig to reach it.
  const presence = kubeconfig();
  if (presence === "chosenMissing") return "chosenKubeconfigMissing";
  if (presence === "none") return "noKubeconfig";
  // Contexts listed and none chosen: the kubeconfig has no current-context, and nothing else names one.
  if (!snapshot.context && snapshot.contexts.length > 0 && snapshot.health.state === "unreachable")
    return "noContext";
  return "ready";
}

/**
 * The presence of a kubeconfig: `chosen` is the setting's file (already in `files`, alone, when
 * set), `files` those kubectl would read, `exists` a look at one.
 */
export function kubeconfigPresence(
  chosen: string | undefined,
  files: string[],
  exists: (file: string) => boolean,
): KubeconfigPresence {
  if (chosen !== undefined && !exists(chosen)) return "chosenMissing";
  return files.some(exists) ? "found" : "none";
}
