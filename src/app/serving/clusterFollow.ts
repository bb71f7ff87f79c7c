import type { RunResult } from "../../core/job/types";
import { endpointStateOf, readinessOf } from "../../core/serving/inferenceService";
import { isFinished } from "../../core/workload/status";
import type { KubeConnection } from "../../targets/kube/connection";
import { readInferenceService, readServingConfig } from "../../targets/kube/inferenceService";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../targets/runHandle";
import { RunRecorder, type StoredRun } from "../store/runStore";

/**
 * A cluster endpoint's record made true from its InferenceService, once: it serves for as long as
 * the InferenceService exists, so there is no end to wait for. Gone (deleted, or another under its
 * name), the record ends, saying so; there, its state (conditions, URL, traffic) is read again.
 */
export function attachEndpoint(conn: KubeConnection, stored: StoredRun): DetachableRunHandle {
  return createDetachableRunHandle(stored.result.runId, async ({ status }) => {
    const { recorder, current } = await RunRecorder.reopen(stored);
    try {
      const record = current.result;
      if (isFinished(record.status) || !record.cluster) return record;
      const { namespace, name, uid } = record.cluster;
      const isvc = await readInferenceService(conn, namespace, name);
      let next: RunResult;
      // Being deleted counts as gone: KServe's finalizer only holds it while the controller cleans up.
      const deleting = isvc?.metadata?.deletionTimestamp !== undefined;
      if (!isvc || deleting || (uid !== undefined && isvc.metadata?.uid !== uid)) {
        next = {
          ...record,
          status: "cancelled",
          finishedAt: new Date().toISOString(),
          diagnosis: [
            {
              code: "EndpointDeleted",
              severity: "info",
              message:
                isvc && !deleting
                  ? `The InferenceService ${name} in ${namespace} is another one now (deleted and created again): this endpoint is gone.`
                  : `The InferenceService ${name} in ${namespace} was deleted: the endpoint no longer serves.`,
              fix: "Deploy it again with parity deploy --target cluster (or Deploy Model).",
            },
          ],
        };
      } else {
        const config = await readServingConfig(conn).catch(() => undefined);
        const ready = readinessOf(isvc).ready;
        next = {
          ...record,
          status: ready ? "running" : record.status === "running" ? "running" : "pending",
          endpoint: {
            ...record.endpoint!,
            url: isvc.status?.url ?? record.endpoint?.url,
            cluster: endpointStateOf(isvc, config?.defaultDeploymentMode),
          },
        };
      }
      await recorder.close();
      await recorder.save(next);
      status.fire(next.status);
      return next;
    } finally {
      await recorder.release();
    }
  });
}
