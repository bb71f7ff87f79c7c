import { CoreV1Api, CustomObjectsApi, type CoreV1Event, type KubeConfig } from "@kubernetes/client-node";
import { loadState, type ClusterState } from "./cluster.js";
import { until } from "./context.js";
import { DEPLOYMENT_MODE_ANNOTATION, KSERVE_CONFIG_MAP, KSERVE_NAMESPACE } from "./kserveController.js";
import { isOurs } from "./processes.js";

/**
 * What a test of InferenceServices needs of the KServe controller the control plane runs
 * (kserveController.ts): whether it runs, its configuration, the InferenceService API, its
 * conditions, and the events it emits that a test asserting "no warnings" must let pass.
 */

export { DEPLOYMENT_MODE_ANNOTATION, KSERVE_CONFIG_MAP, KSERVE_NAMESPACE };

/** The InferenceService API (`serving.kserve.io/v1beta1`), for CustomObjectsApi calls. */
export const inferenceServices = {
  group: "serving.kserve.io",
  version: "v1beta1",
  plural: "inferenceservices",
} as const;

export interface KserveCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The parts of an InferenceService the tests read. */
export interface InferenceService {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec: {
    predictor: Record<string, unknown> & { name?: string; canaryTrafficPercent?: number };
    /** v0.20.0's Standard-mode canaries; the webhook requires each predictor's name. */
    canary?: { trafficPercent?: number; predictor: Record<string, unknown> & { name?: string } }[];
  };
  status?: {
    conditions?: KserveCondition[];
    url?: string;
    address?: { url?: string };
    components?: { predictor?: { url?: string; traffic?: unknown[]; latestReadyRevision?: string } };
    canaryStatuses?: { name: string; ready?: boolean; trafficPercent?: number }[];
    deploymentMode?: string;
    observedGeneration?: number;
  };
}

/** True while the control plane's KServe controller runs (the pid recorded last, a restart's too). */
export function kserveRunning(cluster: ClusterState): boolean {
  const current = loadState(cluster.workDir) ?? cluster;
  const component = current.components.find((c) => c.name === "kserve-controller");
  return Boolean(current.kserve && component && isOurs(component));
}

/**
 * The controller's configuration as it reads it: the ConfigMap `inferenceservice-config` in
 * `kserve`, each JSON key parsed (`deploy.defaultDeploymentMode` is `Standard` here; `ingress`
 * has `ingressDomain: example.com`, `disableIstioVirtualHost: true`, `enableGatewayApi: false`).
 */
export async function kserveConfig(config: KubeConfig): Promise<Record<string, Record<string, unknown>>> {
  const configMap = await config
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ name: KSERVE_CONFIG_MAP, namespace: KSERVE_NAMESPACE });
  const parsed: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    if (key.startsWith("_")) continue; // upstream's commented `_example`
    parsed[key] = JSON.parse(value) as Record<string, unknown>;
  }
  return parsed;
}

export async function readInferenceService(
  config: KubeConfig,
  namespace: string,
  name: string,
): Promise<InferenceService> {
  return (await config
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ ...inferenceServices, namespace, name })) as InferenceService;
}

export function conditionOf(isvc: InferenceService, type: string): KserveCondition | undefined {
  return isvc.status?.conditions?.find((c) => c.type === type);
}

/**
 * Ready True. Not "for its current spec": in Standard mode KServe v0.20.0 sets
 * `status.observedGeneration` to its predictor Deployment's observedGeneration, not to the
 * InferenceService's generation, so it cannot tell whether a change has been seen. A test waits
 * for what the change makes instead (a Deployment's image, a canary's status, an address).
 */
export function isReady(isvc: InferenceService): boolean {
  return conditionOf(isvc, "Ready")?.status === "True";
}

/**
 * Polls until the InferenceService satisfies `done` (default: Ready for its current spec) and
 * returns it. In Standard mode with kwok's pods, Ready comes within a second of a create.
 */
export async function untilInferenceService(
  config: KubeConfig,
  namespace: string,
  name: string,
  what: string,
  done: (isvc: InferenceService) => boolean = isReady,
  timeoutMs = 60_000,
): Promise<InferenceService> {
  let last: InferenceService | undefined;
  try {
    return await until(
      `InferenceService ${namespace}/${name} ${what}`,
      async () => {
        last = await readInferenceService(config, namespace, name);
        return done(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    const seen = last ? `; last status ${JSON.stringify(last.status)}` : "";
    throw new Error(`${(error as Error).message}${seen}`, { cause: error });
  }
}

/**
 * Changes an InferenceService's spec by read, change, replace: again on a conflict, which is
 * common (the controller writes its status and finalizer meanwhile).
 */
export async function updateInferenceService(
  config: KubeConfig,
  namespace: string,
  name: string,
  change: (isvc: InferenceService) => void,
): Promise<InferenceService> {
  const objects = config.makeApiClient(CustomObjectsApi);
  for (let attempt = 1; ; attempt++) {
    const current = await readInferenceService(config, namespace, name);
    change(current);
    try {
      return (await objects.replaceNamespacedCustomObject({
        ...inferenceServices,
        namespace,
        name,
        body: current,
      })) as InferenceService;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= 10) throw error;
    }
  }
}

/**
 * Warning events a Standard-mode InferenceService gets here in normal operation, which a test
 * asserting "no warnings" must let pass:
 * - on the InferenceService, `UpdateFailed` and `InternalError` for an optimistic-concurrency
 *   conflict on the controller's own status write ("the object has been modified"), retried;
 * - on the HorizontalPodAutoscaler KServe makes for each predictor (the default autoscaler class
 *   `hpa`; annotation `serving.kserve.io/autoscalerClass: none` makes none), `FailedGetResourceMetric`
 *   and `FailedComputeMetricsReplicas` (no metrics API here) and `FailedGetScale` (its Deployment
 *   was deleted: a promoted or rolled-back predictor).
 */
export const toleratedKserveWarnings: { kind: string; reason: string; message?: RegExp }[] = [
  { kind: "InferenceService", reason: "UpdateFailed", message: /the object has been modified/ },
  { kind: "InferenceService", reason: "InternalError", message: /the object has been modified/ },
  { kind: "HorizontalPodAutoscaler", reason: "FailedGetResourceMetric" },
  { kind: "HorizontalPodAutoscaler", reason: "FailedComputeMetricsReplicas" },
  { kind: "HorizontalPodAutoscaler", reason: "FailedGetScale" },
];

/**
 * The Warning events of an InferenceService and of what KServe made for it (named `<name>-…`:
 * Deployments, ReplicaSets, pods, autoscalers), less the tolerated ones.
 */
export async function kserveWarnings(
  config: KubeConfig,
  namespace: string,
  name: string,
): Promise<CoreV1Event[]> {
  const events = await config.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
  return events.items.filter((event) => {
    const object = event.involvedObject;
    if (event.type !== "Warning") return false;
    if (object.name !== name && !object.name?.startsWith(`${name}-`)) return false;
    return !toleratedKserveWarnings.some(
      (t) =>
        t.kind === object.kind && t.reason === event.reason && (t.message?.test(event.message ?? "") ?? true),
    );
  });
}
