import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadAllYaml,
  type V1ConfigMap,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
} from "@kubernetes/client-node";
import { load } from "js-yaml";
import { kserveFiles, kserveModule } from "./assets.js";
import type { ClusterState } from "./cluster.js";
import { adminConfig } from "./fixtures.js";
import { moduleDir } from "./modules.js";

/**
 * KServe's real controller manager (v0.20.0's upstream cmd/manager, built by build.sh) in the test
 * control plane: its InferenceService, TrainedModel and InferenceGraph reconcilers in Standard
 * (raw Deployment) mode, and its InferenceService admission webhooks (defaulting, validation),
 * served on loopback and registered by URL. No Knative, Istio, Gateway API or KEDA: the controller
 * finds their CRDs absent and leaves them out. Its pods are kwok's like every other pod.
 */

/** Where the running KServe controller is, saved in cluster.json for the tests. */
export interface KserveState {
  /** The controller's namespace (its POD_NAMESPACE), holding its ConfigMap. */
  namespace: string;
  /** The ConfigMap the controller reads its configuration from, in `namespace`. */
  configMap: string;
  /** The admission webhook server (https, on every interface; the apiserver calls it on loopback). */
  webhookPort: number;
  /** The health probe server (http://127.0.0.1:<port>/readyz, /healthz). */
  probePort: number;
}

export const KSERVE_NAMESPACE = "kserve";
export const KSERVE_CONFIG_MAP = "inferenceservice-config";
/** The annotation that says (and, set by the defaulting webhook, records) an InferenceService's mode. */
export const DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode";

/** The webhooks the harness registers: InferenceService's. The pod mutator (`/mutate-pods`) is left out. */
const WEBHOOK_PATHS = [
  "/mutate-serving-kserve-io-v1beta1-inferenceservice",
  "/validate-serving-kserve-io-v1beta1-inferenceservice",
];

/**
 * Upstream's `inferenceservice-config` made to fit a cluster without Knative or Istio: the
 * default deployment mode Standard (upstream's is Serverless), and no Istio VirtualService (else
 * every reconcile logs an error and emits a VirtualServiceCRDNotFound warning). Everything else,
 * the ingress domain `example.com` and its URL template included, is upstream's.
 */
export function kserveConfigMap(upstream: string): V1ConfigMap {
  const configMap = load(upstream) as V1ConfigMap;
  const data = { ...configMap.data };
  const ingress = JSON.parse(data.ingress ?? "{}") as Record<string, unknown>;
  data.ingress = JSON.stringify({ ...ingress, disableIstioVirtualHost: true }, null, 2);
  data.deploy = JSON.stringify({ defaultDeploymentMode: "Standard" });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: KSERVE_CONFIG_MAP, namespace: KSERVE_NAMESPACE },
    data,
  };
}

/** The webhook configurations of the module zip for InferenceServices, pointed at `url`. */
export function kserveWebhooks(
  upstream: string,
  url: (path: string) => string,
  caBundle: string,
): (V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration)[] {
  const configurations = loadAllYaml(upstream) as (
    V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration
  )[];
  const kept = configurations.flatMap((body) => {
    const webhooks = (body.webhooks ?? []).filter((webhook) =>
      WEBHOOK_PATHS.includes(webhook.clientConfig.service?.path ?? ""),
    );
    for (const webhook of webhooks) {
      webhook.clientConfig = { url: url(webhook.clientConfig.service?.path ?? "/"), caBundle };
    }
    const metadata = { name: body.metadata?.name ?? "" };
    return webhooks.length > 0 ? [{ ...body, metadata, webhooks } as typeof body] : [];
  });
  const paths = kept.flatMap((body) =>
    (body.webhooks ?? []).map((w) => new URL(w.clientConfig.url!).pathname),
  );
  for (const path of WEBHOOK_PATHS) {
    if (!paths.includes(path)) throw new Error(`KServe's ${kserveFiles.webhooks} has no webhook for ${path}`);
  }
  return kept;
}

/**
 * Everything around the controller, before it starts: the `kserve` namespace, its ConfigMap, the
 * webhook pair (the apiserver's own self-signed one, which names 127.0.0.1 and which the
 * apiserver already trusts) where controller-runtime looks for it by default
 * (`$TMPDIR/k8s-webhook-server/serving-certs`, no flag), and the InferenceService webhook
 * configurations from the module zip with URL client configs. Returns the controller's start.
 */
export async function prepareKserve(
  state: ClusterState,
  options: { cacheDir: string; webhookPort: number; probePort: number },
): Promise<{ kserve: KserveState; args: string[]; env: Record<string, string> }> {
  const dir = await moduleDir(kserveModule(), options.cacheDir);
  const tmpDir = join(state.workDir, "kserve", "tmp");
  const certDir = join(tmpDir, "k8s-webhook-server", "serving-certs");
  mkdirSync(certDir, { recursive: true });
  copyFileSync(state.caFile, join(certDir, "tls.crt"));
  copyFileSync(state.caFile.replace(/\.crt$/, ".key"), join(certDir, "tls.key"));

  const kc = adminConfig(state);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: KSERVE_NAMESPACE } } });
  await core.createNamespacedConfigMap({
    namespace: KSERVE_NAMESPACE,
    body: kserveConfigMap(readFileSync(join(dir, kserveFiles.config), "utf8")),
  });

  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const configurations = kserveWebhooks(
    readFileSync(join(dir, kserveFiles.webhooks), "utf8"),
    (path) => `https://127.0.0.1:${options.webhookPort}${path}`,
    readFileSync(state.caFile).toString("base64"),
  );
  for (const body of configurations) {
    if (body.kind === "MutatingWebhookConfiguration") {
      await admission.createMutatingWebhookConfiguration({ body: body as V1MutatingWebhookConfiguration });
    } else {
      await admission.createValidatingWebhookConfiguration({
        body: body as V1ValidatingWebhookConfiguration,
      });
    }
  }

  return {
    kserve: {
      namespace: KSERVE_NAMESPACE,
      configMap: KSERVE_CONFIG_MAP,
      webhookPort: options.webhookPort,
      probePort: options.probePort,
    },
    // Never the defaults: :8080 (metrics) and :8081 (probes) are a model server's ports.
    args: [
      "--metrics-addr=0",
      `--health-probe-addr=127.0.0.1:${options.probePort}`,
      `--webhook-port=${options.webhookPort}`,
      "--leader-elect=false",
    ],
    env: { POD_NAMESPACE: KSERVE_NAMESPACE, KUBECONFIG: state.kubeconfigs.admin, TMPDIR: tmpDir },
  };
}

/** The controller's own readiness (its webhook server started): GET /readyz on the probe port. */
function probeReady(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${port}/readyz`, { timeout: 5_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("timeout", () => req.destroy(new Error("timeout: KServe's /readyz")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * True once the controller says it is ready and the apiserver gets KServe's own answer from its
 * webhooks: a server-side dry run of an InferenceService without a mode, which the defaulting
 * webhook gives the ConfigMap's default mode (Standard). Nothing is created. Throws the answer
 * it got otherwise.
 */
export async function kserveAnswers(state: ClusterState): Promise<boolean> {
  if (!state.kserve) throw new Error("no KServe controller in this control plane");
  if (!(await probeReady(state.kserve.probePort))) throw new Error("KServe's /readyz is not 200 yet");
  const created = (await adminConfig(state)
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: "serving.kserve.io",
      version: "v1beta1",
      namespace: KSERVE_NAMESPACE,
      plural: "inferenceservices",
      body: {
        apiVersion: "serving.kserve.io/v1beta1",
        kind: "InferenceService",
        metadata: { name: "parity-readiness" },
        spec: { predictor: { containers: [{ name: "kserve-container", image: "parity.test/readiness:1" }] } },
      },
      dryRun: "All",
    })) as { metadata?: { annotations?: Record<string, string> } };
  const mode = created.metadata?.annotations?.[DEPLOYMENT_MODE_ANNOTATION];
  if (mode !== "Standard") throw new Error(`KServe's defaulting webhook gave deploymentMode ${mode}`);
  return true;
}
