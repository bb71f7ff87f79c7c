import { ParityError } from "../../core/errors";
import type { Emitter } from "../../core/events";
import type { LogLine, RunResult } from "../../core/job/types";
import { endpointStateOf, readinessOf } from "../../core/serving/inferenceService";
import { isFinished } from "../../core/workload/status";
import type { KubeConnection } from "../../targets/kube/connection";
import {
  readInferenceService,
  readPredictorLogs,
  readServingConfig,
  watchInferenceService,
} from "../../targets/kube/inferenceService";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../targets/runHandle";
import type { SessionContext } from "../context";
import { newLinesAfter, recordedPositions } from "../../targets/kube/recordedLogs";
import { readRunLogs, RunRecorder, type StoredRun } from "../store/runStore";
import { connectWhereItRuns } from "../targets/cluster/workloads";

/**
 * A cluster endpoint's record made true from its InferenceService, once: it serves for as long as
 * the InferenceService exists, so there is no end to wait for. Gone (deleted, or another under its
 * name), the record ends, saying so; there, its state (conditions, URL, traffic) is read again.
 */
export function attachEndpoint(conn: KubeConnection, stored: StoredRun): DetachableRunHandle {
  return createDetachableRunHandle(stored.result.runId, async ({ status, logs }) => {
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
        await recordPredictorLogs(conn, current, recorder, logs);
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

/**
 * The model server's lines the record does not have yet, from each predictor pod (stable and
 * canary), each line under its pod's name: `parity logs` and the panel read them as a run's.
 */
async function recordPredictorLogs(
  conn: KubeConnection,
  stored: StoredRun,
  recorder: RunRecorder,
  logs: Emitter<LogLine>,
): Promise<void> {
  const { namespace, name } = stored.result.cluster!;
  const positions = recordedPositions(await readRunLogs(stored));
  const fresh = new Map<string, (timeMs: number) => boolean>();
  for (const line of await readPredictorLogs(conn, namespace, name)) {
    const isNew = fresh.get(line.pod) ?? newLinesAfter(positions.get(line.pod));
    fresh.set(line.pod, isNew);
    if (!isNew(line.time)) continue;
    const logLine: LogLine = { stream: "stdout", text: line.text, time: line.time, source: line.pod };
    logs.fire(logLine);
    await recorder.log(logLine);
  }
}

/**
 * Keeps a cluster endpoint's record true while someone looks at it (the Endpoints view): its
 * InferenceService watched through an informer (list, then watch, reconnecting), and on each change
 * the record read again once (attachEndpoint), changes that come meanwhile read together after it.
 * Ends with the record's last state when the endpoint is gone, or when `context.signal` aborts. A
 * change met while another process holds the record (a deploy writing it) is left to that process.
 */
export async function watchClusterEndpoint(context: SessionContext, stored: StoredRun): Promise<RunResult> {
  const ref = stored.result.cluster;
  if (isFinished(stored.result.status) || !ref) return stored.result;
  const { conn } = await connectWhereItRuns(context, stored.result.runId, ref);
  const informer = watchInferenceService(conn, ref.namespace, ref.name);
  return new Promise<RunResult>((resolve, reject) => {
    let latest = stored.result;
    let reading = false;
    let again = false;
    let ended = false;
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      subscription.dispose();
      informer.stop();
      context.signal.removeEventListener("abort", onAbort);
      if (error === undefined) resolve(latest);
      else reject(error);
    };
    const onAbort = (): void => end();
    const refresh = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          latest = await attachEndpoint(conn, { dir: stored.dir, result: latest }).result.catch(
            (error: unknown) => {
              if (error instanceof ParityError && error.code === "RunFollowedElsewhere") return latest;
              throw error;
            },
          );
        } while (again && !ended && !isFinished(latest.status));
        if (isFinished(latest.status)) end();
      } catch (error) {
        end(error);
      } finally {
        reading = false;
      }
    };
    const subscription = informer.onChange(() => void refresh());
    if (context.signal.aborted) return end();
    context.signal.addEventListener("abort", onAbort, { once: true });
    informer.start();
  });
}
