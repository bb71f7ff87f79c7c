import { CoreV1Api, CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import type { ClusterState } from "./cluster";
import { adminConfig, completes, oomKilled, setPodLog } from "./fixtures";

/** The template Argo's controller gave the pod (its ARGO_TEMPLATE, as the pod's own containers read it). */
export function podTemplate(pod: V1Pod): {
  inputs?: { artifacts?: { name: string; path: string; s3?: { key: string } }[] };
  outputs?: { artifacts?: { name: string; path: string }[] };
} {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const text = containers.flatMap((c) => c.env ?? []).find((e) => e.name === "ARGO_TEMPLATE")?.value;
  return text ? (JSON.parse(text) as ReturnType<typeof podTemplate>) : {};
}

/** Where the wait container would have put a pod's output artifact in an S3 artifact repository. */
export function artifactKey(pod: V1Pod, name: string): string {
  const workflow = pod.metadata?.labels?.["workflows.argoproj.io/workflow"] ?? "";
  return `${workflow}/${pod.metadata!.name!}/${name}.tgz`;
}

/**
 * What kwok cannot do for an Argo Workflow's pods, done by the test: no container runs under kwok,
 * so Argo's wait container never reports a pod's task result (its outputs) and the controller
 * would wait for it for ever. `reportTaskResult` writes that WorkflowTaskResult once the pod has
 * ended, exactly as the wait container would: no outputs, or, where the template declares output
 * artifacts (the cluster's artifact repository), each with the S3 key it would have been uploaded
 * to (nothing is uploaded). Nothing else of the controller's is replaced.
 */
export async function reportTaskResult(state: ClusterState, pod: V1Pod): Promise<void> {
  const namespace = pod.metadata!.namespace!;
  const workflow = pod.metadata?.labels?.["workflows.argoproj.io/workflow"] ?? "";
  const nodeId = pod.metadata?.annotations?.["workflows.argoproj.io/node-id"] ?? pod.metadata!.name!;
  const artifacts = (podTemplate(pod).outputs?.artifacts ?? []).map((artifact) => ({
    name: artifact.name,
    path: artifact.path,
    s3: { key: artifactKey(pod, artifact.name) },
  }));
  await adminConfig(state)
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: "argoproj.io",
      version: "v1alpha1",
      namespace,
      plural: "workflowtaskresults",
      body: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "WorkflowTaskResult",
        metadata: {
          name: nodeId,
          labels: {
            "workflows.argoproj.io/workflow": workflow,
            "workflows.argoproj.io/report-outputs-completed": "true",
          },
        },
        outputs: artifacts.length > 0 ? { artifacts } : {},
      },
    })
    .catch((error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    });
}

/**
 * Volumes for the runs' claims (each Workflow claims one for the files its steps hand on): kwok's
 * cluster provisions none, so the test offers `count` of them; each binds to one claim.
 */
export async function offerVolumes(state: ClusterState, namespace: string, count: number): Promise<void> {
  const core = adminConfig(state).makeApiClient(CoreV1Api);
  for (let index = 0; index < count; index += 1) {
    await core.createPersistentVolume({
      body: {
        metadata: { name: `parity-artifacts-${namespace}-${index}` },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          hostPath: { path: `/tmp/parity-artifacts/${namespace}/${index}` },
          persistentVolumeReclaimPolicy: "Retain",
        },
      },
    });
  }
}

/** How a step's pod ends under kwok: exit 0, OOMKilled (exit 137), exit 1, or not at all (it runs until deleted). */
export type PodFate = "complete" | "oom" | "error" | "hold";

/** Labels and annotations that make kwok fail a Running pod's containers with exit code 1. */
const exitsWithError = {
  labels: oomKilled.labels,
  annotations: {
    "pod-container-running-failed.stage.kwok.x-k8s.io/reason": "Error",
    "pod-container-running-failed.stage.kwok.x-k8s.io/exit-code": "1",
    "pod-container-running-failed.stage.kwok.x-k8s.io/message": "",
  },
};

/**
 * Plays the part of the kubelet's containers for a Workflow's step pods in `namespace`, until
 * stopped: each pod's `main` container gets a log (one line naming its step, served by kwok), the
 * pod is labelled for kwok to end it as `fate(step)` says, and an ended pod's task result is
 * reported (above).
 */
export function driveArgoPods(
  state: ClusterState,
  namespace: string,
  fate: (step: string) => PodFate,
  /** What the step's main container writes (else one line naming its step and pod). */
  logOf?: (step: string, pod: V1Pod) => Promise<string[] | undefined>,
): { stop(): Promise<void>; logged: Set<string>; problems: string[] } {
  const core = adminConfig(state).makeApiClient(CoreV1Api);
  const logged = new Set<string>();
  const labelled = new Set<string>();
  const reported = new Set<string>();
  const problems: string[] = [];
  // Pods of runs before this one (in the same namespace) are left as they are.
  const since = Date.now() - 1000;
  let stopped = false;
  const playPod = async (pod: V1Pod) => {
    const name = pod.metadata!.name!;
    const step = pod.metadata?.labels?.["parity.dev/step"] ?? "?";
    if (!logged.has(name)) {
      const lines = (await logOf?.(step, pod)) ?? [`${step} ran in ${name}`];
      await setPodLog(state, namespace, name, "main", lines);
      logged.add(name);
    }
    const how = fate(step);
    if (!labelled.has(name) && how !== "hold") {
      const change =
        how === "oom" ? oomKilled : how === "error" ? exitsWithError : { ...completes, annotations: {} };
      await core.patchNamespacedPod({
        name,
        namespace,
        body: [
          { op: "replace", path: "/metadata/labels", value: { ...pod.metadata?.labels, ...change.labels } },
          {
            op: "replace",
            path: "/metadata/annotations",
            value: { ...pod.metadata?.annotations, ...change.annotations },
          },
        ],
      });
      labelled.add(name);
    }
    const phase = pod.status?.phase;
    if ((phase === "Succeeded" || phase === "Failed") && !reported.has(name)) {
      await reportTaskResult(state, pod);
      reported.add(name);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const pods = await core
        .listNamespacedPod({ namespace, labelSelector: "workflows.argoproj.io/workflow" })
        .catch(() => ({ items: [] as V1Pod[] }));
      for (const pod of pods.items) {
        if (new Date(pod.metadata?.creationTimestamp ?? 0).getTime() < since) continue;
        // One pod's trouble (a patch racing the controller's) is tried again on the next pass.
        await playPod(pod).catch((error: unknown) => {
          problems.push(error instanceof Error ? error.message : String(error));
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    logged,
    problems,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
