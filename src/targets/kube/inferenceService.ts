import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type CoreV1Event } from "@kubernetes/client-node";
import {
  clusterServingConfig,
  INFERENCE_SERVICE_RESOURCE,
  kserveCapabilities,
  KSERVE_CONFIG_MAP,
  KSERVE_CONTAINER,
  type ClusterServingConfig,
  type InferenceService,
  type KServeCapabilities,
} from "../../core/serving/inferenceService";
import type { KubeConnection } from "./connection";
import { createInformer, type Informer } from "./informer";
import { apiFailure, httpStatus } from "./kubeErrors";

const { group, version, plural } = INFERENCE_SERVICE_RESOURCE;

/** An InferenceService by name, or undefined when there is none. */
export async function readInferenceService(
  conn: KubeConnection,
  namespace: string,
  name: string,
): Promise<InferenceService | undefined> {
  try {
    return (await conn.config
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group, version, namespace, plural, name })) as InferenceService;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw apiFailure(error, conn.target, `read InferenceService ${name} in ${namespace}`);
  }
}

/**
 * Creates the InferenceService, or replaces the one read as `existing` (its resourceVersion: a
 * change made meanwhile by someone else is refused by the API server, not overwritten). With
 * `dryRun` the API server checks it (schema, admission webhooks) and changes nothing: what it
 * answers is the object as it would be stored (fields its schema does not know are pruned).
 */
export async function applyInferenceService(
  conn: KubeConnection,
  isvc: InferenceService,
  existing: InferenceService | undefined,
  dryRun = false,
): Promise<InferenceService> {
  const api = conn.config.makeApiClient(CustomObjectsApi);
  const namespace = isvc.metadata!.namespace!;
  const name = isvc.metadata!.name!;
  const options = dryRun ? { dryRun: "All" } : {};
  try {
    if (!existing) {
      return (await api.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: isvc,
        ...options,
      })) as InferenceService;
    }
    const body = {
      ...isvc,
      metadata: { ...isvc.metadata, resourceVersion: existing.metadata?.resourceVersion },
    };
    return (await api.replaceNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name,
      body,
      ...options,
    })) as InferenceService;
  } catch (error) {
    throw apiFailure(
      error,
      conn.target,
      `${existing ? "update" : "create"} InferenceService ${name} in ${namespace}`,
    );
  }
}

/** Deletes an InferenceService; one already gone is fine. */
export async function deleteInferenceService(
  conn: KubeConnection,
  namespace: string,
  name: string,
): Promise<void> {
  try {
    await conn.config
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ group, version, namespace, plural, name });
  } catch (error) {
    if (httpStatus(error) === 404) return;
    throw apiFailure(error, conn.target, `delete InferenceService ${name} in ${namespace}`);
  }
}

/** Where KServe's controller may live: its own install (`kserve`), or Kubeflow's (`kubeflow`). */
const KSERVE_NAMESPACES = [KSERVE_CONFIG_MAP.namespace, "kubeflow"];

/**
 * The cluster's KServe defaults (its `inferenceservice-config`, in KServe's namespace or
 * Kubeflow's) and where they were read, or undefined where the user may not read them.
 */
export async function readServingConfig(
  conn: KubeConnection,
): Promise<(ClusterServingConfig & { from: string }) | undefined> {
  for (const namespace of KSERVE_NAMESPACES) {
    let data: Record<string, string> | undefined;
    try {
      const map = await conn.config
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ namespace, name: KSERVE_CONFIG_MAP.name });
      data = map.data;
    } catch (error) {
      const status = httpStatus(error);
      if (status === 403 || status === 404) continue;
      throw apiFailure(error, conn.target, `read KServe's inferenceservice-config in ${namespace}`);
    }
    return { ...clusterServingConfig(data), from: `ConfigMap ${namespace}/${KSERVE_CONFIG_MAP.name}` };
  }
  return undefined;
}

/**
 * What the cluster's KServe can do, from its InferenceService CRD: undefined where the CRD is not
 * readable (CRDs are cluster-wide; many users may not read them). False `served` when there is no
 * KServe at all.
 */
export async function readKServe(
  conn: KubeConnection,
): Promise<{ served: boolean; capabilities?: KServeCapabilities }> {
  try {
    const crd = await conn.config
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: `${plural}.${group}` });
    return { served: true, capabilities: kserveCapabilities(crd) };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return { served: false };
    if (status !== 403) throw apiFailure(error, conn.target, "read KServe's InferenceService definition");
  }
  // Not allowed to read CRDs: whether the kind is served at all is asked of the namespace.
  const served = await conn.config
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group, version, plural, namespace: conn.target.namespace, limit: 1 })
    .then(
      () => true,
      (error: unknown) => httpStatus(error) !== 404,
    );
  return { served };
}

/** Whether the cluster serves Knative Serving's Services (undefined: it could not be asked). */
export async function knativeServed(conn: KubeConnection): Promise<boolean | undefined> {
  return conn.config
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({
      group: "serving.knative.dev",
      version: "v1",
      plural: "services",
      namespace: conn.target.namespace,
      limit: 1,
    })
    .then(
      () => true,
      (error: unknown) => (httpStatus(error) === 404 ? false : undefined),
    );
}

/** A watch of one InferenceService (list, then watch, reconnecting), started by the caller. */
export function watchInferenceService(
  conn: KubeConnection,
  namespace: string,
  name: string,
): Informer<InferenceService> {
  return createInformer<InferenceService>(conn, {
    path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
    fieldSelector: `metadata.name=${name}`,
  });
}

/** A watch of the events about one InferenceService. */
export function watchEndpointEvents(
  conn: KubeConnection,
  namespace: string,
  name: string,
): Informer<CoreV1Event & { metadata?: { name?: string } }> {
  return createInformer(conn, {
    path: `/api/v1/namespaces/${namespace}/events`,
    fieldSelector: `involvedObject.kind=InferenceService,involvedObject.name=${name}`,
  });
}

/** A line of a predictor pod's log, as `pods/log` gives it with timestamps. */
export interface PredictorLogLine {
  pod: string;
  /** Milliseconds since the epoch. */
  time: number;
  text: string;
}

/**
 * The logs so far of the model server in each of the endpoint's predictor pods (stable and canary:
 * KServe labels them all with the InferenceService's name), oldest pod first. A pod whose
 * container has not started yet has none.
 */
export async function readPredictorLogs(
  conn: KubeConnection,
  namespace: string,
  name: string,
): Promise<PredictorLogLine[]> {
  const core = conn.config.makeApiClient(CoreV1Api);
  const pods = await core
    .listNamespacedPod({ namespace, labelSelector: `serving.kserve.io/inferenceservice=${name}` })
    .catch((error: unknown) => {
      throw apiFailure(error, conn.target, `list the pods of InferenceService ${name} in ${namespace}`);
    });
  const lines: PredictorLogLine[] = [];
  // client-node gives creationTimestamp as a Date (older versions as text): compared as times.
  const created = (pod: (typeof pods.items)[number]) =>
    new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
  const ordered = [...pods.items].sort((a, b) => created(a) - created(b));
  for (const pod of ordered) {
    const podName = pod.metadata?.name ?? "";
    const text = await core
      .readNamespacedPodLog({ namespace, name: podName, container: KSERVE_CONTAINER, timestamps: true })
      .catch((error: unknown) => {
        const status = httpStatus(error);
        // 400: the container is waiting to start; 404: the pod went meanwhile.
        if (status === 400 || status === 404) return "";
        throw apiFailure(error, conn.target, `read the log of pod ${podName} in ${namespace}`);
      });
    for (const line of String(text).split("\n")) {
      const space = line.indexOf(" ");
      const time = Date.parse(line.slice(0, space));
      if (space > 0 && Number.isFinite(time)) lines.push({ pod: podName, time, text: line.slice(space + 1) });
    }
  }
  return lines;
}
