import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadAllYaml,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
} from "@kubernetes/client-node";
import { dump, load } from "js-yaml";
import { katibFiles, katibModule } from "./assets.js";
import type { ClusterState } from "./cluster.js";
import { adminConfig } from "./fixtures.js";
import { moduleDir } from "./modules.js";

/**
 * Katib's real katib-controller (v0.19.0's upstream main, built by build.sh) in the test control
 * plane: its three reconcilers (Experiment, Suggestion, Trial) and its admission webhooks
 * (Experiment defaulting and validation, the metrics-collector sidecar injected into trial pods),
 * served on loopback and registered by URL. The suggestion services and the DB manager it dials
 * are played (katibPlayed.ts), reached through the CONNECT proxy given as its HTTPS_PROXY.
 */

/** Where the running Katib is, saved in cluster.json for the tests. */
export interface KatibState {
  /** The namespace of Katib's own objects (the katib-config ConfigMap). */
  namespace: string;
  /** The controller's admission webhook server (https, on every interface; the apiserver calls it). */
  webhookPort: number;
  /** The KatibConfig the controller was started with (its `init`; `runtime` is the ConfigMap's). */
  configFile: string;
  /** Katib's gRPC API (api.proto from the module zip), for clients of the played services. */
  apiProto: string;
  /** The played gRPC server (Suggestion, DBManager, EarlyStopping), when played. */
  grpcPort?: number;
  /** The CONNECT proxy the controller reaches in-cluster addresses through, when played. */
  proxyPort?: number;
}

/** The played services the controller is pointed at (see katibPlayed.ts). */
export interface KatibPlayedPorts {
  grpcPort: number;
  proxyPort: number;
}

export const KATIB_NAMESPACE = "kubeflow";

/** Katib's webhook server reads its pair from this fixed folder (consts.CertDir, not a flag). */
const UPSTREAM_CERT_DIR = "/tmp/cert";

/** The Kinds the controller watches as trials: those whose CRDs (and controllers) the cluster has. */
const TRIAL_RESOURCES = ["Job.v1.batch", "TFJob.v1.kubeflow.org", "PyTorchJob.v1.kubeflow.org"];

/** The api.proto of the pinned Katib module (downloaded into the Go module cache if needed). */
export async function katibApiProto(cacheDir: string): Promise<string> {
  return join(await moduleDir(katibModule(), cacheDir), katibFiles.api);
}

/**
 * Upstream's standalone KatibConfig with the controller made local: webhooks on a free port, no
 * metrics or health listeners (":8080"/":18080" would collide on a shared machine), no leader
 * election, no cert generator (it needs an in-cluster Service; the harness gives the pair), and
 * only the trial kinds this cluster serves. `runtime` (the suggestions', collectors' and early
 * stopping's images, which the validator requires an entry for) is upstream's, unchanged.
 */
export function katibConfig(upstream: string, webhookPort: number): string {
  const config = load(upstream) as {
    init?: { certGenerator?: Record<string, unknown>; controller?: Record<string, unknown> };
  };
  config.init = {
    ...config.init,
    certGenerator: { ...config.init?.certGenerator, enable: false },
    controller: {
      ...config.init?.controller,
      webhookPort,
      metricsAddr: "0",
      healthzAddr: "0",
      enableLeaderElection: false,
      trialResources: TRIAL_RESOURCES,
    },
  };
  return dump(config);
}

/**
 * How the controller finds its webhook pair at the fixed /tmp/cert without touching the machine's:
 * in a private mount namespace (`unshare -m`; as a user without CAP_SYS_ADMIN, `unshare -r -m`)
 * the run's own folder is bind-mounted there, then the controller is exec'd (its pid is the
 * launcher's). Where no mount namespace can be made, undefined: the pair is then copied to the
 * machine's /tmp/cert, which a second control plane on the same machine would overwrite.
 */
function privateCertLauncher(certDir: string): string[] | undefined {
  mkdirSync(UPSTREAM_CERT_DIR, { recursive: true });
  const userFlags = process.getuid?.() === 0 ? [] : ["-r"];
  const unshare = ["unshare", ...userFlags, "-m", "--propagation", "private"];
  const bind = ["sh", "-c", `mount --bind "$0" ${UPSTREAM_CERT_DIR} && exec "$@"`, certDir];
  const probe = spawnSync(unshare[0]!, [...unshare.slice(1), ...bind, "true"], { stdio: "ignore" });
  return probe.status === 0 ? [...unshare, ...bind] : undefined;
}

/**
 * Everything around the controller, before it starts: the `kubeflow` namespace, the katib-config
 * ConfigMap and file, the webhook pair (the apiserver's own self-signed one, which names
 * 127.0.0.1 and which the apiserver already trusts) and the webhook configurations from the
 * module zip with URL client configs. Returns the controller's start: its args, env and launcher.
 */
export async function prepareKatib(
  state: ClusterState,
  options: { cacheDir: string; webhookPort: number; played?: KatibPlayedPorts; log: (line: string) => void },
): Promise<{ katib: KatibState; args: string[]; env: Record<string, string>; launcher?: string[] }> {
  const dir = await moduleDir(katibModule(), options.cacheDir);
  const katibDir = join(state.workDir, "katib");
  const certDir = join(katibDir, "cert");
  mkdirSync(certDir, { recursive: true });
  const config = katibConfig(readFileSync(join(dir, katibFiles.config), "utf8"), options.webhookPort);
  const configFile = join(katibDir, "katib-config.yaml");
  writeFileSync(configFile, config);
  copyFileSync(state.caFile, join(certDir, "tls.crt"));
  copyFileSync(state.caFile.replace(/\.crt$/, ".key"), join(certDir, "tls.key"));

  const kc = adminConfig(state);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: KATIB_NAMESPACE } } });
  await core.createNamespacedConfigMap({
    namespace: KATIB_NAMESPACE,
    body: { metadata: { name: "katib-config" }, data: { "katib-config.yaml": config } },
  });

  const caBundle = readFileSync(state.caFile).toString("base64");
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const configurations = loadAllYaml(readFileSync(join(dir, katibFiles.webhooks), "utf8")) as (
    V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration
  )[];
  for (const body of configurations) {
    for (const webhook of body.webhooks ?? []) {
      const path = webhook.clientConfig.service?.path ?? "/";
      webhook.clientConfig = { url: `https://127.0.0.1:${options.webhookPort}${path}`, caBundle };
    }
    if (body.kind === "MutatingWebhookConfiguration") {
      await admission.createMutatingWebhookConfiguration({ body: body as V1MutatingWebhookConfiguration });
    } else {
      await admission.createValidatingWebhookConfiguration({
        body: body as V1ValidatingWebhookConfiguration,
      });
    }
  }

  const launcher = privateCertLauncher(certDir);
  if (!launcher) {
    options.log(
      `no private mount namespace here: Katib's webhook pair goes to the machine's ${UPSTREAM_CERT_DIR}`,
    );
    for (const file of ["tls.crt", "tls.key"])
      copyFileSync(join(certDir, file), join(UPSTREAM_CERT_DIR, file));
  }
  const env: Record<string, string> = { KUBECONFIG: state.kubeconfigs.admin };
  if (options.played) {
    // gRPC-Go (1.71+) hands the unresolved in-cluster name to the proxy; the kube client's
    // loopback address is never proxied.
    env.HTTPS_PROXY = `http://127.0.0.1:${options.played.proxyPort}`;
    env.NO_PROXY = "127.0.0.1,localhost";
  }
  return {
    katib: {
      namespace: KATIB_NAMESPACE,
      webhookPort: options.webhookPort,
      configFile,
      apiProto: join(dir, katibFiles.api),
      ...options.played,
    },
    args: [`--katib-config=${configFile}`],
    env,
    ...(launcher && { launcher }),
  };
}

/**
 * True once the apiserver gets Katib's own answer from its webhooks: a server-side dry run of an
 * Experiment with no spec, which Katib's validator refuses (nothing is created either way).
 * Throws the answer it got otherwise.
 */
export async function katibAnswers(state: ClusterState): Promise<boolean> {
  try {
    await adminConfig(state)
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({
        group: "kubeflow.org",
        version: "v1beta1",
        namespace: KATIB_NAMESPACE,
        plural: "experiments",
        body: {
          apiVersion: "kubeflow.org/v1beta1",
          kind: "Experiment",
          metadata: { name: "parity-readiness" },
          spec: {},
        },
        dryRun: "All",
      });
    return true;
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const text = typeof body === "string" ? body : JSON.stringify(body ?? String(error));
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not a Status: the text as it is
    }
    // Its usual answer here: the namespace lacks the metrics-collector injection label.
    if (/^admission webhook "validator\.experiment\.katib\.kubeflow\.org" denied the request/.test(message)) {
      return true;
    }
    // Not Katib's answer yet (its webhook server not up, say): waitUntil reports the last one.
    throw new Error(text.slice(0, 500));
  }
}
