import { BatchV1Api, type KubeConfig } from "@kubernetes/client-node";

/** A Job with the labels Parity gives the workloads it submits, as if a run of `runId` had made it. */
export async function createParityJob(
  admin: KubeConfig,
  namespace: string,
  name: string,
  runId: string,
): Promise<void> {
  const labels = { "app.kubernetes.io/managed-by": "parity", "parity.dev/run": runId };
  await admin.makeApiClient(BatchV1Api).createNamespacedJob({
    namespace,
    body: {
      metadata: { name, labels },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels },
          spec: { restartPolicy: "Never", containers: [{ name: "main", image: "parity/train:e2e" }] },
        },
      },
    },
  });
}

/** The names of the Jobs in `namespace`. */
export async function jobNames(admin: KubeConfig, namespace: string): Promise<string[]> {
  const jobs = await admin.makeApiClient(BatchV1Api).listNamespacedJob({ namespace });
  return jobs.items.map((job) => job.metadata?.name ?? "");
}
