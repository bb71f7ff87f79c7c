// How long the Cluster view takes to show 5,000 pods, and what one pod's change costs the extension
// host, next to kubectl on the same control plane. The cluster: 50 of Parity's Jobs (suspended, so
// no controller makes pods for them) and 5,000 pods they own, which no scheduler picks up.
// - show: list + watch until synced, then the view's rows built; against `kubectl get pods -A`.
// - one change: a pod's phase patched (Pending → Running) → the informer's event → the view's model
//   (src/views/cluster/clusterModel.ts), fed by the application layer's followCluster as the view
//   is. The host's cost per event is the snapshot and the model's update, which leaves the changed
//   rows (the pod's own) for VS Code to ask about; for comparison, the same snapshot with every row
//   built by a new model (what a new connection costs). End to end: patch → the rows updated, against patch → the `kubectl get pods -w` line.
//   Events are spaced past the view's 50 ms between updates, so none waits for it, as one
//   change after a quiet spell does not.
// Starts the test control plane (test/cluster) on loopback and stops it by pid at the end.
// Usage: npm run bench:cluster [-- <pods>] (default 5000)
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { cacheDir, clusterBinaries } from "../test/cluster/harness/binaries";
import { startCluster, stopCluster } from "../test/cluster/harness/cluster";
import { followCluster } from "../src/app/cluster/follow";
import { connectCluster } from "../src/targets/kube/connection";
import { createInformer, type Informer } from "../src/targets/kube/informer";
import type { NodeItem, PodItem, WorkloadItem } from "../src/core/cluster/objects";
import type { ClusterSnapshot } from "../src/core/cluster/snapshot";
import { ClusterModel, clusterRows } from "../src/views/cluster/clusterModel";
import type { ClusterRow } from "../src/views/cluster/clusterRow";

const run = promisify(execFile);
const POD_COUNT = Number(process.argv[2] ?? 5000);
const JOB_COUNT = 50;
const NAMESPACE = "bench";
const EVENTS = 40;
const ROUNDS = 3;
const MANAGED = { "app.kubernetes.io/managed-by": "parity" };

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const ms = (value: number): string => `${value.toFixed(1).padStart(8)} ms`;
const figures = (values: number[]): string =>
  `median ${ms(median(values))}  p95 ${ms(percentile(values, 0.95))}  (${values.length} events)`;
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Parity's Jobs, suspended: the Job controller makes no pods for them. */
async function createJobs(batch: BatchV1Api): Promise<{ name: string; uid: string }[]> {
  const jobs: { name: string; uid: string }[] = [];
  for (let index = 0; index < JOB_COUNT; index++) {
    const job = await batch.createNamespacedJob({
      namespace: NAMESPACE,
      body: {
        metadata: { name: `train-${index}`, labels: { ...MANAGED, "parity.dev/run": `bench-${index}` } },
        spec: {
          suspend: true,
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "main", image: "bench:1" }] },
          },
        },
      },
    });
    jobs.push({ name: job.metadata!.name!, uid: job.metadata!.uid! });
  }
  return jobs;
}

/** Pods each owned by a Job, which no scheduler picks up (schedulerName names none): they stay Pending. */
async function createPods(
  core: CoreV1Api,
  jobs: { name: string; uid: string }[],
  count: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const job = jobs[index % jobs.length]!;
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: {
            name: `pod-${index}`,
            labels: { "parity.dev/run": `bench-${index % jobs.length}` },
            ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: job.name, uid: job.uid }],
          },
          spec: {
            schedulerName: "parity-bench-none",
            containers: [
              { name: "main", image: "bench:1", resources: { limits: { memory: "64Mi", cpu: "100m" } } },
            ],
          },
        },
      });
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
}

function synced<T>(informer: Informer<T>): Promise<void> {
  return new Promise((resolve) => {
    const subscription = informer.onChange((change) => {
      if (change.type === "synced") {
        subscription.dispose();
        resolve();
      }
    });
    informer.start();
  });
}

async function timeParityList(kubeconfig: string): Promise<{ ms: number; rows: number }> {
  const connection = await connectCluster({ env: { KUBECONFIG: kubeconfig }, homeDir: tmpdir() });
  const started = performance.now();
  const pods = createInformer<V1Pod>(connection, { path: "/api/v1/pods" });
  const nodes = createInformer<NodeItem>(connection, { path: "/api/v1/nodes" });
  const jobs = createInformer<WorkloadItem>(connection, {
    path: `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`,
    labelSelector: "app.kubernetes.io/managed-by=parity",
  });
  await Promise.all([synced(pods), synced(nodes), synced(jobs)]);
  const snapshot: ClusterSnapshot = {
    contexts: [connection.target.context],
    context: connection.target.context,
    server: connection.target.server,
    namespace: NAMESPACE,
    health: { state: "live" },
    namespaces: [{ metadata: { name: NAMESPACE } }],
    pods: pods.items() as PodItem[],
    podsScope: "cluster",
    nodes: nodes.items(),
    workloads: jobs.items().map((job) => ({ ...job, kind: "Job", apiVersion: "batch/v1" })),
    canSubmit: true,
    canDelete: true,
  };
  const rows = countRows(clusterRows(snapshot, Date.now()));
  const elapsed = performance.now() - started;
  [pods, nodes, jobs].forEach((informer) => informer.stop());
  return { ms: elapsed, rows };
}

const countRows = (rows: ClusterRow[]): number =>
  rows.reduce((sum, row) => sum + 1 + countRows(row.children ?? []), 0);

async function timeKubectlList(kubectl: string, kubeconfig: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await run(kubectl, ["--kubeconfig", kubeconfig, "get", "pods", "-A", "--no-headers"], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const elapsed = performance.now() - started;
  const lines = stdout.trim().split("\n").length;
  if (lines < POD_COUNT) throw new Error(`kubectl listed ${lines} pods, expected ${POD_COUNT}`);
  return elapsed;
}

interface ParityEvent {
  /** The snapshot and the model's update: what the host does for the event. */
  host: number;
  /** The same snapshot with every row built again. */
  everyRow: number;
  /** Patch → the rows updated. */
  endToEnd: number;
  /** Rows the view refreshes. */
  changedRows: number;
}

interface Update {
  changed: ClusterRow[] | undefined;
  snapshot: ClusterSnapshot;
  host: number;
}

/** Patch → the informer's event → the model's update, fed by followCluster as the Cluster view is. */
async function timeParityEvents(kubeconfig: string, core: CoreV1Api): Promise<ParityEvent[]> {
  const followed = followCluster({
    env: { KUBECONFIG: kubeconfig },
    homeDir: tmpdir(),
    namespace: NAMESPACE,
  });
  const model = new ClusterModel();
  let onUpdate: ((update: Update) => void) | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  // As the view after a quiet spell: the events of one tick (the thousands of a list) are one update.
  followed.onChange(() => {
    pending ??= setTimeout(() => {
      pending = undefined;
      const started = performance.now();
      const snapshot = followed.snapshot();
      const changed = model.update(snapshot, Date.now());
      onUpdate?.({ changed, snapshot, host: performance.now() - started });
    }, 0);
  });
  const next = (accept: (update: Update) => boolean): Promise<Update> =>
    new Promise((resolve) => {
      onUpdate = (update) => {
        if (!accept(update)) return;
        onUpdate = undefined;
        resolve(update);
      };
    });
  try {
    await next(
      ({ snapshot }) =>
        snapshot.health.state === "live" &&
        snapshot.pods.length >= POD_COUNT &&
        snapshot.workloads.length === JOB_COUNT,
    );
    const events: ParityEvent[] = [];
    for (let index = 0; index < EVENTS; index++) {
      const rowId = `run/pod/${NAMESPACE}/pod-${index}`;
      const seen = next(({ changed }) =>
        Boolean(changed?.some((row) => row.id === rowId && row.description?.startsWith("Running"))),
      );
      const started = performance.now();
      await patchPhase(core, `pod-${index}`);
      const { snapshot, changed, host } = await seen;
      const endToEnd = performance.now() - started;
      const rebuilding = performance.now();
      clusterRows(snapshot, Date.now());
      events.push({ host, everyRow: performance.now() - rebuilding, endToEnd, changedRows: changed!.length });
      await sleep(60);
    }
    return events;
  } finally {
    followed.stop();
  }
}

/** Patch → the line `kubectl get pods -w` prints for it. */
async function timeKubectlEvents(kubectl: string, kubeconfig: string, core: CoreV1Api): Promise<number[]> {
  const child = spawn(kubectl, [
    "--kubeconfig",
    kubeconfig,
    "get",
    "pods",
    "-n",
    NAMESPACE,
    "-w",
    "--watch-only",
    "-o",
    "custom-columns=NAME:.metadata.name,PHASE:.status.phase",
    "--no-headers",
  ]);
  let buffer = "";
  const waiters: { line: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.line.test(buffer)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  await sleep(1500); // the watch is open
  const times: number[] = [];
  try {
    // Pods the Parity events left Pending.
    for (let index = EVENTS; index < 2 * EVENTS; index++) {
      const line = new RegExp(`^pod-${index}\\s+Running$`, "m");
      const seen = new Promise<void>((resolve) => waiters.push({ line, resolve }));
      const started = performance.now();
      await patchPhase(core, `pod-${index}`);
      await seen;
      times.push(performance.now() - started);
      await sleep(60);
    }
  } finally {
    child.kill("SIGTERM");
  }
  return times;
}

/** What a kubelet reports when the pod's containers start: the phase, on the status subresource. */
function patchPhase(core: CoreV1Api, name: string): Promise<unknown> {
  return core.patchNamespacedPodStatus(
    { name, namespace: NAMESPACE, body: [{ op: "replace", path: "/status/phase", value: "Running" }] },
    undefined,
  );
}

const workDir = mkdtempSync(path.join(tmpdir(), "parity-bench-cluster-"));
const { stdout: kubectlOut } = await run("bash", [path.join("bench", "kubectl", "build.sh")]);
const kubectl = kubectlOut.trim().split("\n").at(-1)!;
const state = await startCluster({ binDir: await clusterBinaries(), workDir, cacheDir: cacheDir() });
try {
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfigs.admin);
  const core = config.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const creating = performance.now();
  const jobs = await createJobs(config.makeApiClient(BatchV1Api));
  await createPods(core, jobs, POD_COUNT);
  console.log(
    `bench: Cluster view vs kubectl — ${POD_COUNT} pods of ${JOB_COUNT} Parity Jobs (created in ${((performance.now() - creating) / 1000).toFixed(1)} s)`,
  );

  const parity: number[] = [];
  const kube: number[] = [];
  let rows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const listed = await timeParityList(state.kubeconfigs.admin);
    parity.push(listed.ms);
    rows = listed.rows;
    kube.push(await timeKubectlList(kubectl, state.kubeconfigs.admin));
  }
  console.log(
    `show ${POD_COUNT} pods, Parity (list+watch synced, ${rows} rows) ${ms(median(parity))}  median of ${ROUNDS}`,
  );
  console.log(
    `show ${POD_COUNT} pods, kubectl get pods -A             ${ms(median(kube))}  median of ${ROUNDS}`,
  );
  console.log(
    `ratio Parity / kubectl                                  ${(median(parity) / median(kube)).toFixed(2)}`,
  );

  const events = await timeParityEvents(state.kubeconfigs.admin, core);
  const kubectlEvents = await timeKubectlEvents(kubectl, state.kubeconfigs.admin, core);
  const endToEnd = events.map((event) => event.endToEnd);
  console.log(
    `one pod change, host cost: event → changed rows (${median(events.map((event) => event.changedRows))} of ${rows})  ${figures(events.map((event) => event.host))}`,
  );
  console.log(
    `  the same snapshot, every row built afresh (a new model) ${figures(events.map((event) => event.everyRow))}`,
  );
  console.log(`one pod change, patch → Parity view rows updated      ${figures(endToEnd)}`);
  console.log(`one pod change, patch → kubectl get pods -w line      ${figures(kubectlEvents)}`);
  console.log(
    `ratio Parity / kubectl (patch → shown, per event)       ${(median(endToEnd) / median(kubectlEvents)).toFixed(2)}`,
  );
} finally {
  await stopCluster(state);
  rmSync(workDir, { recursive: true, force: true });
}
