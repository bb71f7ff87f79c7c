import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import {
  kubeflowCrdSources,
  kwokCrdSources,
  holdLabelledJobPods,
  kwokStageSources,
  readModuleFiles,
  ownStageFiles,
} from "./assets.js";
import { writeKubeconfig } from "./kubeconfig.js";
import {
  createControllerConfigMap,
  installCrds,
  installNodes,
  waitForDefaultServiceAccount,
} from "./fixtures.js";
import { katibAnswers, prepareKatib, type KatibPlayedPorts, type KatibState } from "./katibController.js";
import { kserveAnswers, prepareKserve, type KserveState } from "./kserveController.js";
import {
  execed,
  freePort,
  isOurs,
  residentBytes,
  startProcess,
  stopProcess,
  waitUntil,
  type ComponentProcess,
} from "./processes.js";

/** Everything a test or a person needs to use a running control plane; saved as cluster.json. */
export interface ClusterState {
  workDir: string;
  server: string;
  caFile: string;
  kubeconfigs: { admin: string; restricted: string };
  /** The restricted user's name, for the RoleBindings a test gives it. */
  restrictedUser: string;
  /** Folder for pod log files that kwok serves through `pods/log`. */
  podLogDir: string;
  /** Katib's controller and webhooks, and the played services' ports (katibController.ts). */
  katib?: KatibState;
  /** KServe's controller and webhooks (kserveController.ts). */
  kserve?: KserveState;
  components: ComponentProcess[];
}

export interface StartOptions {
  binDir: string;
  workDir: string;
  cacheDir: string;
  /** Progress lines (startup takes tens of seconds). */
  log?: (line: string) => void;
  /**
   * Katib's played suggestion services and DB manager (katibPlayed.ts), which the vitest global
   * setup runs. Without them the controller and its webhooks still run (`npm run cluster:up`),
   * but no Experiment gets its trials.
   */
  katibPlayed?: KatibPlayedPorts;
}

const stateFile = (workDir: string) => join(workDir, "cluster.json");
export const restrictedUser = "parity-restricted";

export function saveState(state: ClusterState): void {
  writeFileSync(stateFile(state.workDir), JSON.stringify(state, null, 2));
}

export function loadState(workDir: string): ClusterState | undefined {
  const file = stateFile(workDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ClusterState) : undefined;
}

/** GET a URL on loopback; resolves with the status code and body. */
function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith("https:") ? request : httpRequest;
    const req = send(
      url,
      {
        // Readiness only: the CA is the file the apiserver is still writing at this point.
        rejectUnauthorized: false,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        timeout: 5_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

const ok = (url: string, token?: string) => async () => (await get(url, token)).status === 200;

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the Training Operator,
 * Argo's workflow-controller, Katib's katib-controller, KServe's controller and kwok on loopback.
 */
export async function startCluster(options: StartOptions): Promise<ClusterState> {
  const { binDir, workDir, cacheDir } = options;
  const say = options.log ?? (() => undefined);
  const dirs = {
    logs: join(workDir, "logs"),
    certs: join(workDir, "certs"),
    pods: join(workDir, "pod-logs"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

  const adminToken = randomBytes(24).toString("hex");
  const restrictedToken = randomBytes(24).toString("hex");
  writeFileSync(
    join(workDir, "tokens.csv"),
    `${adminToken},parity-admin,uid-admin,"system:masters"\n${restrictedToken},${restrictedUser},uid-restricted\n`,
    { mode: 0o600 },
  );
  // Service-account tokens are signed with a key pair the apiserver does not make itself.
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saPub = join(dirs.certs, "sa.pub");
  const saKey = join(dirs.certs, "sa.key");
  writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });

  const [
    etcdPort,
    etcdPeerPort,
    apiPort,
    schedulerPort,
    kwokPort,
    katibWebhookPort,
    kserveWebhookPort,
    kserveProbePort,
  ] = await distinctFreePorts(8);
  const server = `https://127.0.0.1:${apiPort}`;
  const caFile = join(dirs.certs, "apiserver.crt");
  const state: ClusterState = {
    workDir,
    server,
    caFile,
    kubeconfigs: {
      admin: join(workDir, "admin.kubeconfig"),
      restricted: join(workDir, "restricted.kubeconfig"),
    },
    restrictedUser,
    podLogDir: dirs.pods,
    components: [],
  };
  const start = (name: string, args: string[], env?: Record<string, string>, launcher?: string[]) => {
    const log = join(dirs.logs, `${name}.log`);
    const component = startProcess(name, join(binDir, name), args, log, env, launcher);
    state.components.push(component);
    saveState(state);
    return component;
  };

  try {
    say("starting etcd");
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = start("etcd", [
      `--data-dir=${join(workDir, "etcd")}`,
      "--name=node0",
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=node0=${peerUrl}`,
      "--unsafe-no-fsync",
      "--max-request-bytes=10485760",
      "--quota-backend-bytes=2147483648",
    ]);
    await waitUntil("etcd /health", ok(`${etcdUrl}/health`), etcd, 60_000);

    say("starting kube-apiserver");
    const apiserver = start("kube-apiserver", [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${dirs.certs}`,
      "--endpoint-reconciler-type=none",
      "--service-cluster-ip-range=10.0.0.0/24",
      "--authorization-mode=Node,RBAC",
      `--token-auth-file=${join(workDir, "tokens.csv")}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--allow-privileged",
      // kwok answers pods/log on the node's InternalIP (loopback); the Hostname may not resolve.
      "--kubelet-preferred-address-types=InternalIP",
    ]);
    await waitUntil("kube-apiserver /readyz", ok(`${server}/readyz`, adminToken), apiserver, 120_000);
    writeKubeconfig(state.kubeconfigs.admin, server, caFile, "parity-admin", adminToken);
    writeKubeconfig(state.kubeconfigs.restricted, server, caFile, restrictedUser, restrictedToken);
    saveState(state);

    say("installing CRDs (kwok logs, Kubeflow) from Go module zips");
    const kwokCrds = await readModuleFiles(kwokCrdSources(), cacheDir);
    const kubeflowCrds = await readModuleFiles(kubeflowCrdSources, cacheDir);
    const crdsInstalled = installCrds(state, [...kwokCrds, ...kubeflowCrds]);
    // Katib's namespace, configuration, webhook pair and webhook configurations, meanwhile.
    const katibPrepared = prepareKatib(state, {
      cacheDir,
      webhookPort: katibWebhookPort!,
      log: say,
      ...(options.katibPlayed && { played: options.katibPlayed }),
    });
    katibPrepared.catch(() => undefined);
    // KServe's namespace, ConfigMap, webhook pair and webhook configurations, meanwhile too.
    const kservePrepared = prepareKserve(state, {
      cacheDir,
      webhookPort: kserveWebhookPort!,
      probePort: kserveProbePort!,
    });
    kservePrepared.catch(() => undefined);

    say("starting kube-controller-manager, kube-scheduler");
    const kubeconfig = state.kubeconfigs.admin;
    start("kube-controller-manager", [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${caFile}`,
      "--use-service-account-credentials=false",
    ]);
    const scheduler = start("kube-scheduler", [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${schedulerPort}`,
      // Since 1.36 the FailedScheduling message says only "untolerated taint(s)"; the plugin
      // names the taint at verbosity 4, so raise it for that one file.
      "--vmodule=taint_toleration=4",
    ]);
    await crdsInstalled;
    // The Training Operator's own reconcilers (our small main, no webhooks): PyTorchJob and TFJob
    // become real pods and services.
    start("training-operator", [`--kubeconfig=${kubeconfig}`]);
    // Argo Workflows' own controller: Workflows become pods; kwok runs them (see argoPods.ts for
    // the wait container's task results, which the tests supply). Its configuration is its defaults.
    await createControllerConfigMap(state);
    start(
      "workflow-controller",
      [`--kubeconfig=${kubeconfig}`, "--executor-image=quay.io/argoproj/argoexec:v3.7.3", "--loglevel=info"],
      { LEADER_ELECTION_DISABLE: "true" },
    );
    // Katib's own controller, once its CRDs and its trial kinds' (Job, TFJob, PyTorchJob) are served.
    say("starting katib-controller (its webhooks by URL, its certificate in a private /tmp/cert)");
    const katib = await katibPrepared;
    state.katib = katib.katib;
    const katibController = start("katib-controller", katib.args, katib.env, katib.launcher);
    await execed(katibController);
    // KServe's own controller manager, once its CRDs and ConfigMap are there (it exits without
    // the ConfigMap). Its webhook pair is found through its TMPDIR (kserveController.ts).
    say("starting kserve-controller (Standard mode, its webhooks by URL)");
    const kserve = await kservePrepared;
    state.kserve = kserve.kserve;
    const kserveController = start("kserve-controller", kserve.args, kserve.env);

    say("starting kwok");
    const stages = [
      ...(await readModuleFiles(kwokStageSources(), cacheDir)).map(holdLabelledJobPods),
      ...ownStageFiles.map((file) => readFileSync(file, "utf8")),
    ];
    const kwokConfig = join(workDir, "kwok.yaml");
    writeFileSync(kwokConfig, stages.join("\n---\n"));
    const kwok = start("kwok", [
      `--kubeconfig=${kubeconfig}`,
      `--config=${kwokConfig}`,
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--node-ip=127.0.0.1",
      "--node-name=localhost",
      `--node-port=${kwokPort}`,
      `--server-address=127.0.0.1:${kwokPort}`,
      "--node-lease-duration-seconds=40",
      "--enable-crds=Logs,ClusterLogs",
    ]);
    await waitUntil(
      "kube-scheduler /healthz",
      ok(`https://127.0.0.1:${schedulerPort}/healthz`),
      scheduler,
      60_000,
    );
    await waitUntil("kwok /healthz", ok(`http://127.0.0.1:${kwokPort}/healthz`), kwok, 60_000);
    await waitUntil("Katib's admission webhooks", () => katibAnswers(state), katibController, 60_000);
    await waitUntil("KServe's admission webhooks", () => kserveAnswers(state), kserveController, 60_000);

    say("adding fake CPU and GPU nodes");
    await installNodes(state);
    await waitForDefaultServiceAccount(state, "default");
    return state;
  } catch (error) {
    printComponentLogs(state);
    await stopCluster(state);
    // API errors carry the whole response body (a CRD's can be 100 kB): keep the start of it.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the test control plane did not start: ${message.slice(0, 2000)}`, { cause: error });
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Stops every component by the pid the harness recorded, newest first. */
export async function stopCluster(state: ClusterState): Promise<void> {
  for (const component of [...state.components].reverse()) await stopProcess(component);
}

/** Stops one component and starts it again with the same flags (same ports, same data). */
export async function restartComponent(state: ClusterState, name: string): Promise<void> {
  // Another test file may have restarted it already: the pids on disk are the current ones, not
  // those in the state this file was given when the control plane started.
  const current = loadState(state.workDir) ?? state;
  const index = current.components.findIndex((c) => c.name === name);
  const old = current.components[index];
  if (!old) throw new Error(`no component named ${name}`);
  await stopProcess(old);
  const fresh = startProcess(old.name, old.binary, old.args, old.log, old.env, old.launcher);
  current.components[index] = fresh;
  state.components = [...current.components];
  saveState(current);
  if (fresh.launcher) await execed(fresh);
  if (name === "kube-apiserver") {
    const token = /^([^,]+),parity-admin,/m.exec(
      readFileSync(join(state.workDir, "tokens.csv"), "utf8"),
    )?.[1];
    await waitUntil("kube-apiserver /readyz", ok(`${state.server}/readyz`, token), fresh, 120_000);
  }
}

/** Resident memory of the running components, in bytes, by name. */
export function memoryByComponent(state: ClusterState): Record<string, number> {
  return Object.fromEntries(state.components.map((c) => [c.name, isOurs(c) ? residentBytes(c.pid) : 0]));
}

/** The last lines of each component's log, for a failing test's output. */
export function printComponentLogs(state: ClusterState, lines = 60): void {
  for (const component of state.components) {
    const text = existsSync(component.log) ? readFileSync(component.log, "utf8") : "(no log)";
    const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
    console.error(`\n===== ${component.name} (pid ${component.pid}) ${component.log} =====\n${tail}`);
  }
}
