import type { KubernetesObject } from "@kubernetes/client-node";
import type { NamespaceItem, NodeItem, PodItem, WorkloadItem } from "../../core/cluster/objects";
import type { ClusterHealth, ClusterSnapshot } from "../../core/cluster/snapshot";
import { Emitter, type Disposable, type Listener } from "../../core/events";
import { allowedActions, canI } from "../../targets/kube/access";
import type { KubeConnection } from "../../targets/kube/connection";
import { createInformer, type Informer } from "../../targets/kube/informer";
import { worstHealth } from "../../targets/kube/health";
import { getJson } from "../../targets/kube/kubeRequest";

/** What the Cluster view's informers hold now; the view adds the kubeconfig's contexts. */
export type WatchedCluster = Omit<ClusterSnapshot, "contexts">;

/** The Cluster view's informers on one context and namespace, while the view is visible. */
export interface ClusterWatch {
  snapshot(): WatchedCluster;
  /** An object was added, changed or deleted, or the connection's health changed. */
  onChange(listener: Listener<void>): Disposable;
  stop(): void;
}

interface Watched {
  informer: Informer<KubernetesObject>;
  kind?: string;
  apiVersion?: string;
}

const PARITY_JOBS = "app.kubernetes.io/managed-by=parity";

/**
 * Starts list-then-watch informers for what the Cluster view shows: cluster-wide lists only when a
 * SelfSubjectAccessReview allows them (pods fall back to the namespace's, so GPU allocation may be
 * partial), training jobs only when the cluster serves kubeflow.org/v1. SelfSubjectRulesReview
 * says whether to offer submit and delete.
 */
export async function watchCluster(connection: KubeConnection, signal?: AbortSignal): Promise<ClusterWatch> {
  const { namespace, context, server } = connection.target;
  const rules = await allowedActions(connection, namespace);
  const clusterWide = async (resource: string) =>
    (await canI(connection, { verb: "list", resource, namespace: "" })).allowed; // "": cluster-wide
  const [allPods, nodes, namespaces, training] = await Promise.all([
    clusterWide("pods"),
    clusterWide("nodes"),
    clusterWide("namespaces"),
    trainingResources(connection, signal),
  ]);
  // A watch the user may not open would only ever reconnect: namespaced ones need list and watch.
  const mayWatch = (resource: string, group = "") =>
    rules.incomplete || (rules.can("list", resource, group) && rules.can("watch", resource, group));
  const ns = `/namespaces/${encodeURIComponent(namespace)}`;
  const make = (path: string, labelSelector?: string, kind?: string, apiVersion?: string): Watched => ({
    informer: createInformer<KubernetesObject>(connection, { path, labelSelector }),
    kind,
    apiVersion,
  });
  const watched = {
    pods: allPods ? make("/api/v1/pods") : mayWatch("pods") ? make(`/api/v1${ns}/pods`) : undefined,
    nodes: nodes ? make("/api/v1/nodes") : undefined,
    namespaces: namespaces ? make("/api/v1/namespaces") : undefined,
    workloads: [
      ...(mayWatch("jobs", "batch")
        ? [make(`/apis/batch/v1${ns}/jobs`, PARITY_JOBS, "Job", "batch/v1")]
        : []),
      ...training
        .filter((kind) => mayWatch(`${kind.toLowerCase()}s`, "kubeflow.org"))
        .map((kind) =>
          make(`/apis/kubeflow.org/v1${ns}/${kind.toLowerCase()}s`, undefined, kind, "kubeflow.org/v1"),
        ),
    ],
  };
  const notAllowed: NonNullable<ClusterSnapshot["notAllowed"]> = {};
  if (!nodes)
    notAllowed.gpus =
      "You may not list nodes: ask a cluster admin for a ClusterRole that allows list and watch on nodes.";
  if (!mayWatch("jobs", "batch"))
    notAllowed.runs = `You may not list Jobs in ${namespace}: ask for a Role there that allows list and watch on jobs (batch).`;
  const deniedKinds = training.filter((kind) => !mayWatch(`${kind.toLowerCase()}s`, "kubeflow.org"));
  if (deniedKinds.length > 0)
    notAllowed.training = `You may not list ${deniedKinds.join(" or ")}s in ${namespace}: ask for a Role there that allows list and watch on ${deniedKinds.map((kind) => `${kind.toLowerCase()}s`).join(" and ")} (kubeflow.org).`;
  const all = [watched.pods, watched.nodes, watched.namespaces, ...watched.workloads].filter(
    (each): each is Watched => each !== undefined,
  );
  const changed = new Emitter<void>();
  const fire = () => changed.fire(undefined);
  const subscriptions = all.flatMap(({ informer }) => [informer.onChange(fire), informer.onHealth(fire)]);
  all.forEach(({ informer }) => informer.start());
  const items = <T>(each: Watched | undefined): T[] => (each?.informer.items() ?? []) as T[];
  return {
    snapshot: () => {
      const health = healthOf(all.map(({ informer }) => informer));
      return {
        context,
        server,
        namespace,
        health,
        namespaces: namespaces
          ? items<NamespaceItem>(watched.namespaces)
          : [{ metadata: { name: namespace } }],
        pods: items<PodItem>(watched.pods),
        podsScope: allPods ? "cluster" : "namespace",
        nodes: items<NodeItem>(watched.nodes),
        // Listed items carry no kind; the informer they came from says it.
        workloads: watched.workloads.flatMap((each) =>
          items<WorkloadItem>(each).map((item) => ({
            ...item,
            kind: each.kind,
            apiVersion: each.apiVersion,
          })),
        ),
        // An incomplete review (webhook authorizers) cannot say no: offer the action, the server decides.
        canSubmit: rules.incomplete || rules.can("create", "jobs", "batch"),
        canDelete: rules.incomplete || rules.can("delete", "jobs", "batch"),
        ...(Object.keys(notAllowed).length > 0 ? { notAllowed } : {}),
      };
    },
    onChange: changed.event,
    stop: () => {
      subscriptions.forEach((subscription) => subscription.dispose());
      all.forEach(({ informer }) => informer.stop());
      changed.dispose();
    },
  };
}

/** "PyTorchJob", "TFJob": the training job kinds this cluster serves (none without the Kubeflow CRDs). */
async function trainingResources(connection: KubeConnection, signal?: AbortSignal): Promise<string[]> {
  try {
    const list = await getJson<{ resources?: { name: string; kind: string }[] }>(
      connection.config,
      "/apis/kubeflow.org/v1",
      {
        signal,
        timeoutMs: 10_000,
      },
    );
    const served = new Set((list.resources ?? []).map((resource) => resource.kind));
    return ["PyTorchJob", "TFJob"].filter((kind) => served.has(kind));
  } catch {
    return [];
  }
}

/** The worst informer's state, when it last heard from the server, and why it failed. */
function healthOf(informers: Informer<KubernetesObject>[]): ClusterHealth {
  // Nothing the user may watch: the server answered the access reviews, so it is there, not "stopped".
  if (informers.length === 0) return { state: "live" };
  const state = worstHealth(informers.map((informer) => informer.health));
  const worst = informers.filter((informer) => informer.health === state);
  const heard = worst.flatMap((informer) =>
    informer.lastActivity === undefined ? [] : [informer.lastActivity],
  );
  const error = worst.find((informer) => informer.lastError)?.lastError;
  return {
    state,
    ...(heard.length > 0 ? { lastHeardAt: Math.min(...heard) } : {}),
    ...(error ? { error: error.message } : {}),
  };
}
