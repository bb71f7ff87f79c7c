// What the Cluster view and the cluster commands ask about a workspace's clusters: the
// kubeconfig's contexts, the namespaces one may list, the profile's cluster section.
import { homedir } from "node:os";
import path from "node:path";
import { findProfileFile, loadProfile } from "../../core/profile";
import type { ClusterSpec } from "../../core/profile/types";
import type { KubeConnection } from "../../targets/kube/connection";
import { readKubeConfigs } from "../../targets/kube/kubeconfig";
import { getJson, KubeHttpError } from "../../targets/kube/kubeRequest";

/** The kubeconfig's contexts (as kubectl merges KUBECONFIG) and its current one; none without a kubeconfig. */
export function kubeContexts(env: NodeJS.ProcessEnv): { contexts: string[]; current?: string } {
  try {
    return readKubeContexts(env);
  } catch {
    return { contexts: [] };
  }
}

/** The same, where a file that cannot be read or parsed throws the ParityError that says why. */
export function readKubeContexts(env: NodeJS.ProcessEnv): { contexts: string[]; current?: string } {
  const { config } = readKubeConfigs({ env, homeDir: env.HOME ?? homedir() });
  return {
    contexts: config.contexts.map((context) => context.name),
    current: config.currentContext || undefined,
  };
}

/** The namespaces the user may list, sorted; undefined when listing them is not allowed. */
export async function listNamespaces(
  connection: KubeConnection,
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  try {
    const list = await getJson<{ items?: { metadata?: { name?: string } }[] }>(
      connection.config,
      "/api/v1/namespaces",
      {
        signal,
        timeoutMs: 10_000,
      },
    );
    return (list.items ?? []).flatMap((item) => (item.metadata?.name ? [item.metadata.name] : [])).sort();
  } catch (error) {
    if (error instanceof KubeHttpError && error.status === 403) return undefined;
    throw error;
  }
}

export interface ProfileCluster {
  cluster?: ClusterSpec;
  /** image.registry: where cluster images are pushed. */
  registry?: string;
}

/** The cluster section and registry of the profile a notebook (or folder) runs with; nothing when there is no profile. */
export async function profileClusterOf(fileOrDir: string, workspaceDir: string): Promise<ProfileCluster> {
  const start = path.extname(fileOrDir) ? path.dirname(fileOrDir) : fileOrDir;
  const file = await findProfileFile(start, workspaceDir);
  if (!file) return {};
  const { profile } = await loadProfile(file);
  return { cluster: profile.cluster, registry: profile.image.registry };
}
