// How long the Cluster view takes to show 5,000 pods (list + watch until synced, then the view's rows
// built) and to reflect one change (a pod patched → the informer's event → rows rebuilt), next to
// kubectl on the same control plane: `kubectl get pods -A` for the list, `kubectl get pods -w` for an
// event. Starts the test control plane (test/cluster) on loopback and stops it by pid at the end.
// Usage: npm run bench:cluster [-- <pods>] (default 5000)
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { cacheDir, clusterBinaries } from "../test/cluster/harness/binaries";
import { startCluster, stopCluster } from "../test/cluster/harness/cluster";
import { connectCluster } from "../src/targets/kube/connection";
import { createInformer, type Informer } from "../src/targets/kube/informer";
import type { NodeItem, PodItem } from "../src/core/cluster/objects";
import type { ClusterSnapshot } from "../src/core/cluster/snapshot";
import { clusterRows } from "../src/views/cluster/clusterModel";

const run = promisify(execFile);
const POD_COUNT = Number(process.argv[2] ?? 5000);
const NAMESPACE = "bench";
const EVENTS = 40;
const ROUNDS = 3;

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const ms = (value: number): string => `${value.toFixed(1).padStart(8)} ms`;

/** Pods no scheduler picks up (schedulerName names none): they stay Pending, so the control plane stays quiet. */
async function createPods(core: CoreV1Api, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await core.createNamespacedPod({
        namespace: NAMESPACE,
        body: {
          metadata: {
            name: `pod-${index}`,
            labels: { "parity.dev/run": `bench-${index % 50}`, "app.kubernetes.io/managed-by": "parity" },
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

function snapshotOf(pods: Informer<V1Pod>, nodes: Informer<NodeItem>, context: string): ClusterSnapshot {
  return {
    contexts: [context],
    context,
    server: "",
    namespace: NAMESPACE,
    health: { state: "live", lastHeardAt: Date.now() },
    namespaces: [{ metadata: { name: NAMESPACE } }],
    pods: pods.items() as PodItem[],
    podsScope: "cluster",
    nodes: nodes.items(),
    workloads: [],
    canSubmit: true,
    canDelete: true,
  };
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
  await Promise.all([synced(pods), synced(nodes)]);
  const rows = clusterRows(snapshotOf(pods, nodes, connection.target.context), Date.now());
  const elapsed = performance.now() - started;
  pods.stop();
  nodes.stop();
  return { ms: elapsed, rows: rows.length };
}

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

/** Patch → the informer's change for that pod → the view's rows rebuilt. */
async function timeParityEvents(kubeconfig: string, core: CoreV1Api): Promise<number[]> {
  const connection = await connectCluster({ env: { KUBECONFIG: kubeconfig }, homeDir: tmpdir() });
  const pods = createInformer<V1Pod>(connection, { path: "/api/v1/pods" });
  const nodes = createInformer<NodeItem>(connection, { path: "/api/v1/nodes" });
  await Promise.all([synced(pods), synced(nodes)]);
  const times: number[] = [];
  for (let index = 0; index < EVENTS; index++) {
    const value = `v${index}`;
    const seen = new Promise<void>((resolve) => {
      const subscription = pods.onChange((change) => {
        if (change.object?.metadata?.labels?.["bench/round"] === value) {
          clusterRows(snapshotOf(pods, nodes, connection.target.context), Date.now());
          subscription.dispose();
          resolve();
        }
      });
    });
    const started = performance.now();
    await patchLabel(core, `pod-${index}`, value);
    await seen;
    times.push(performance.now() - started);
  }
  pods.stop();
  nodes.stop();
  return times;
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
    "custom-columns=NAME:.metadata.name,ROUND:.metadata.labels.bench/round",
    "--no-headers",
  ]);
  let buffer = "";
  const waiters: { value: string; resolve: () => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (const waiter of [...waiters]) {
      if (buffer.includes(` ${waiter.value}\n`) || buffer.includes(`\t${waiter.value}\n`)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the watch is open
  const times: number[] = [];
  try {
    for (let index = 0; index < EVENTS; index++) {
      const value = `k${index}`;
      const seen = new Promise<void>((resolve) => waiters.push({ value, resolve }));
      const started = performance.now();
      await patchLabel(core, `pod-${index}`, value);
      await seen;
      times.push(performance.now() - started);
    }
  } finally {
    child.kill("SIGTERM");
  }
  return times;
}

function patchLabel(core: CoreV1Api, name: string, value: string): Promise<unknown> {
  return core.patchNamespacedPod(
    { name, namespace: NAMESPACE, body: [{ op: "add", path: "/metadata/labels/bench~1round", value }] },
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
  await createPods(core, POD_COUNT);
  console.log(
    `bench: Cluster view vs kubectl — ${POD_COUNT} pods (created in ${((performance.now() - creating) / 1000).toFixed(1)} s)`,
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
    `show ${POD_COUNT} pods, kubectl get pods -A            ${ms(median(kube))}  median of ${ROUNDS}`,
  );
  console.log(
    `ratio Parity / kubectl                                 ${(median(parity) / median(kube)).toFixed(2)}`,
  );

  const parityEvents = await timeParityEvents(state.kubeconfigs.admin, core);
  const kubectlEvents = await timeKubectlEvents(kubectl, state.kubeconfigs.admin, core);
  console.log(
    `one pod change → view rows rebuilt, Parity   median ${ms(median(parityEvents))}  p95 ${ms(percentile(parityEvents, 0.95))}  (${EVENTS} events)`,
  );
  console.log(
    `one pod change → kubectl get pods -w line    median ${ms(median(kubectlEvents))}  p95 ${ms(percentile(kubectlEvents, 0.95))}  (${EVENTS} events)`,
  );
  console.log(
    `ratio Parity / kubectl (per event)           ${(median(parityEvents) / median(kubectlEvents)).toFixed(2)}`,
  );
} finally {
  await stopCluster(state);
  rmSync(workDir, { recursive: true, force: true });
}
