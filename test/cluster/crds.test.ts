import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";

const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "kubeflow");
});

const kubeflowCrds = [
  "pytorchjobs.kubeflow.org",
  "tfjobs.kubeflow.org",
  "experiments.kubeflow.org",
  "trials.kubeflow.org",
  "suggestions.kubeflow.org",
  "inferenceservices.serving.kserve.io",
  "servingruntimes.serving.kserve.io",
  "workflows.argoproj.io",
];

describe("Kubeflow CRDs from the Go module zips", () => {
  it.each(kubeflowCrds)("%s is Established", async (name) => {
    const crd = await config.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
    expect(crd.status?.conditions?.find((c) => c.type === "Established")?.status).toBe("True");
  });

  it("validates a PyTorchJob against the Training Operator's schema", async () => {
    const objects = config.makeApiClient(CustomObjectsApi);
    const target = { group: "kubeflow.org", version: "v1", namespace, plural: "pytorchjobs" };
    const replica = (replicas: number) => ({
      replicas,
      restartPolicy: "OnFailure",
      template: { spec: { containers: [{ name: "pytorch", image: "trainer:1" }] } },
    });
    const created = await objects.createNamespacedCustomObject({
      ...target,
      body: {
        apiVersion: "kubeflow.org/v1",
        kind: "PyTorchJob",
        metadata: { name: "ddp" },
        spec: { pytorchReplicaSpecs: { Master: replica(1), Worker: replica(2) } },
      },
    });
    expect((created as { metadata: { uid?: string } }).metadata.uid).toBeTruthy();
    // The structural schema refuses a wrong type: the CRD is the real one, not a stub.
    const refused = await objects
      .createNamespacedCustomObject({
        ...target,
        body: {
          apiVersion: "kubeflow.org/v1",
          kind: "PyTorchJob",
          metadata: { name: "bad" },
          spec: { pytorchReplicaSpecs: { Worker: { ...replica(1), replicas: "two" } } },
        },
      })
      .then(
        () => "accepted",
        (e: { code?: number }) => e.code,
      );
    expect(refused).toBe(422);
  });

  it("runs a PyTorchJob through the Training Operator's controller: master and worker pods Running", async () => {
    const objects = config.makeApiClient(CustomObjectsApi);
    const core = config.makeApiClient(CoreV1Api);
    const pods = await until("3 PyTorchJob pods Running", async () => {
      const list = await core.listNamespacedPod({
        namespace,
        labelSelector: "training.kubeflow.org/job-name=ddp",
      });
      const running = list.items.filter((p) => p.status?.phase === "Running");
      return running.length === 3 ? running : undefined;
    });
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual([
      "ddp-master-0",
      "ddp-worker-0",
      "ddp-worker-1",
    ]);
    const worker = pods.find((p) => p.metadata?.name === "ddp-worker-0");
    expect(worker?.spec?.containers[0]?.env?.find((e) => e.name === "MASTER_ADDR")?.value).toBe(
      "ddp-master-0",
    );
    const job = await until("PyTorchJob Running condition", async () => {
      const current = (await objects.getNamespacedCustomObject({
        group: "kubeflow.org",
        version: "v1",
        namespace,
        plural: "pytorchjobs",
        name: "ddp",
      })) as { status?: { conditions?: { type: string; status: string }[] } };
      return current.status?.conditions?.some((c) => c.type === "Running" && c.status === "True")
        ? current
        : undefined;
    });
    expect(job.status?.conditions?.map((c) => c.type)).toContain("Created");
  });
});
