import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type V1Deployment,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";
import {
  DEPLOYMENT_MODE_ANNOTATION,
  conditionOf,
  inferenceServices,
  isReady,
  kserveConfig,
  kserveRunning,
  kserveWarnings,
  readInferenceService,
  untilInferenceService,
  updateInferenceService,
  type InferenceService,
} from "./harness/kserve.js";

// KServe v0.20.0's real controller manager in the test control plane, in Standard (raw
// Deployment) mode: its webhooks default and validate InferenceServices, its reconciler makes the
// Deployments, Services and Ingress; kwok plays the pods (no model server runs). What is asserted
// here is what KServe itself does, which Parity's serving relies on.
const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const custom = config.makeApiClient(CustomObjectsApi);
const apps = config.makeApiClient(AppsV1Api);
const core = config.makeApiClient(CoreV1Api);
const networking = config.makeApiClient(NetworkingV1Api);
let namespace = "";

const image = (tag: string) => `registry.local/parity/iris-serve:${tag}`;
const resources = { cpu: "1", memory: "1Gi" };

/** A predictor with a custom container as Parity writes it: the model is in the image. */
function predictor(tag: string, name?: string): InferenceService["spec"]["predictor"] {
  return {
    ...(name && { name }),
    minReplicas: 1,
    containers: [
      {
        name: "kserve-container",
        image: image(tag),
        args: ["--model_name=iris", "--http_port=8080"],
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        // The "model" KServe's canary validation asks the stable predictor for.
        env: [{ name: "STORAGE_URI", value: `oci://${image(tag)}` }],
        resources: { requests: resources, limits: resources },
      },
    ],
  };
}

function inferenceService(name: string, spec: InferenceService["spec"]): InferenceService {
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: { name, annotations: { [DEPLOYMENT_MODE_ANNOTATION]: "Standard" } },
    spec,
  };
}

const readDeployment = (name: string) => apps.readNamespacedDeployment({ name, namespace });

/** The Deployment once it has `replicas` available ones. */
const available = (name: string, replicas = 1) =>
  until(`Deployment ${name} available`, async () => {
    const deployment = await readDeployment(name).catch(() => undefined);
    return deployment?.status?.availableReplicas === replicas ? deployment : undefined;
  });

/** Resolves once the object is gone (404). */
const gone = (what: string, read: () => Promise<unknown>) =>
  until(`${what} deleted`, () =>
    read().then(
      () => undefined,
      (error: { code?: number }) => (error.code === 404 ? true : undefined),
    ),
  );

const servingContainer = (deployment: V1Deployment) =>
  deployment.spec?.template.spec?.containers.find((c) => c.name === "kserve-container");

/** The Services the InferenceService's Ingress sends its hosts to. */
async function ingressBackends(name: string): Promise<string[]> {
  const ingress = await networking.readNamespacedIngress({ name, namespace });
  return (ingress.spec?.rules ?? []).flatMap((rule) =>
    (rule.http?.paths ?? []).map((path) => path.backend.service?.name ?? ""),
  );
}

/** The InferenceService's Deployments, by name (the controller labels them with its name). */
async function deploymentsOf(name: string): Promise<string[]> {
  const list = await apps.listNamespacedDeployment({
    namespace,
    labelSelector: `serving.kserve.io/inferenceservice=${name}`,
  });
  return list.items.map((d) => d.metadata?.name ?? "").sort();
}

beforeAll(async () => {
  expect(kserveRunning(cluster)).toBe(true);
  namespace = await freshNamespace(config, "serving");
});

// KServe's Deployments and autoscalers there would be reconciled for the rest of the run.
afterAll(async () => {
  if (namespace)
    await config
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
});

describe("KServe's controller in Standard mode", () => {
  it("runs with the harness's configuration: Standard by default, no Istio", async () => {
    const configuration = await kserveConfig(config);
    expect(configuration.deploy).toEqual({ defaultDeploymentMode: "Standard" });
    expect(configuration.ingress).toMatchObject({
      disableIstioVirtualHost: true,
      enableGatewayApi: false,
      ingressDomain: "example.com",
    });
  });

  it("(a) makes a custom-container InferenceService Ready: its Deployment, Service and URLs", async () => {
    const started = Date.now();
    await custom.createNamespacedCustomObject({
      ...inferenceServices,
      namespace,
      body: inferenceService("iris", { predictor: predictor("r1") }),
    });
    const ready = await untilInferenceService(config, namespace, "iris", "Ready");
    console.log(`[kserve] InferenceService iris Ready ${Date.now() - started} ms after create`);

    for (const type of ["PredictorReady", "IngressReady", "Ready"]) {
      expect(conditionOf(ready, type)?.status, type).toBe("True");
    }
    expect(ready.status?.deploymentMode).toBe("Standard");
    expect(ready.status?.url).toBe(`http://iris-${namespace}.example.com`);
    expect(ready.status?.address?.url).toBe(`http://iris-predictor.${namespace}.svc.cluster.local`);
    expect(ready.status?.components?.predictor?.url).toBe(`http://iris-predictor-${namespace}.example.com`);

    const deployment = await available("iris-predictor");
    const container = servingContainer(deployment);
    expect(container?.image).toBe(image("r1"));
    expect(container?.resources?.limits).toEqual(resources);
    expect(container?.resources?.requests).toEqual(resources);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject({
      component: "predictor",
      "serving.kserve.io/inferenceservice": "iris",
    });
    expect(await deploymentsOf("iris")).toEqual(["iris-predictor"]);
    const service = await core.readNamespacedService({ name: "iris-predictor", namespace });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 8080 });
    expect(new Set(await ingressBackends("iris"))).toEqual(new Set(["iris-predictor"]));
    const pods = await core.listNamespacedPod({
      namespace,
      labelSelector: "serving.kserve.io/inferenceservice=iris",
    });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(["Running"]);
  });

  it("(b) refuses to name the stable predictor without a model change, then runs a canary beside it", async () => {
    // A predictor's name is part of its Deployment's: KServe allows a new one only with a new model.
    const refused = await updateInferenceService(config, namespace, "iris", (isvc) => {
      isvc.spec.predictor.name = "r1";
    }).then(
      () => "accepted",
      (error: { code?: number; body?: unknown }) => `${error.code} ${String(error.body)}`,
    );
    expect(refused).toMatch(/^403 .*predictor\.name change requires a model change/);

    await updateInferenceService(config, namespace, "iris", (isvc) => {
      isvc.spec.canary = [{ trafficPercent: 20, predictor: predictor("r2", "r2") }];
    });
    const withCanary = await untilInferenceService(
      config,
      namespace,
      "iris",
      "Ready with its canary Ready",
      (isvc) =>
        isReady(isvc) &&
        conditionOf(isvc, "CanaryPredictorReady")?.status === "True" &&
        isvc.status?.canaryStatuses?.some((c) => c.name === "r2" && c.ready === true) === true,
    );
    expect(withCanary.status?.canaryStatuses).toEqual([
      expect.objectContaining({ name: "r2", ready: true, trafficPercent: 20 }),
    ]);
    const canary = await available("iris-r2-predictor");
    expect(servingContainer(canary)?.image).toBe(image("r2"));
    expect(servingContainer(canary)?.resources?.limits).toEqual(resources);
    expect(servingContainer(await readDeployment("iris-predictor"))?.image).toBe(image("r1"));
    expect(await deploymentsOf("iris")).toEqual(["iris-predictor", "iris-r2-predictor"]);
    await core.readNamespacedService({ name: "iris-r2-predictor", namespace });
    // v0.20.0 splits no traffic: the InferenceService's hosts all go to the stable Service, the
    // canary is reachable only at its own Service.
    expect(new Set(await ingressBackends("iris"))).toEqual(new Set(["iris-predictor"]));
    expect(withCanary.status?.address?.url).toBe(`http://iris-predictor.${namespace}.svc.cluster.local`);
    // observedGeneration is the stable Deployment's, not the InferenceService's (harness isReady).
    const stable = await readDeployment("iris-predictor");
    expect(withCanary.metadata.generation).toBe(2);
    expect(withCanary.status?.observedGeneration).toBe(stable.status?.observedGeneration);
    expect(withCanary.status?.observedGeneration).toBe(1);
  });

  it("(c) promotes the canary: the stable predictor takes its name and container, the old Deployment goes", async () => {
    await updateInferenceService(config, namespace, "iris", (isvc) => {
      isvc.spec.predictor = predictor("r2", "r2");
      delete isvc.spec.canary;
    });
    await gone("Deployment iris-predictor", () => readDeployment("iris-predictor"));
    await gone("Service iris-predictor", () =>
      core.readNamespacedService({ name: "iris-predictor", namespace }),
    );
    const promoted = await untilInferenceService(
      config,
      namespace,
      "iris",
      "Ready at its promoted predictor's address",
      (isvc) =>
        isReady(isvc) &&
        isvc.status?.address?.url === `http://iris-r2-predictor.${namespace}.svc.cluster.local`,
    );
    expect(promoted.status?.canaryStatuses ?? []).toEqual([]);
    expect(promoted.status?.url).toBe(`http://iris-${namespace}.example.com`);
    const stable = await available("iris-r2-predictor");
    expect(servingContainer(stable)?.image).toBe(image("r2"));
    expect(await deploymentsOf("iris")).toEqual(["iris-r2-predictor"]);
    await until("the Ingress sent to the promoted predictor", async () => {
      const backends = new Set(await ingressBackends("iris"));
      return backends.size === 1 && backends.has("iris-r2-predictor") ? true : undefined;
    });
  });

  it("(d) rolls a canary back: removing spec.canary deletes its Deployment and Service", async () => {
    await updateInferenceService(config, namespace, "iris", (isvc) => {
      isvc.spec.canary = [{ trafficPercent: 10, predictor: predictor("r3", "r3") }];
    });
    await untilInferenceService(
      config,
      namespace,
      "iris",
      "Ready with its canary r3 Ready",
      (isvc) =>
        isReady(isvc) &&
        conditionOf(isvc, "CanaryPredictorReady")?.status === "True" &&
        isvc.status?.canaryStatuses?.some((c) => c.name === "r3" && c.ready === true) === true,
    );
    await available("iris-r3-predictor");

    await updateInferenceService(config, namespace, "iris", (isvc) => {
      delete isvc.spec.canary;
    });
    await gone("Deployment iris-r3-predictor", () => readDeployment("iris-r3-predictor"));
    await gone("Service iris-r3-predictor", () =>
      core.readNamespacedService({ name: "iris-r3-predictor", namespace }),
    );
    const rolledBack = await untilInferenceService(
      config,
      namespace,
      "iris",
      "Ready without its canary",
      (isvc) => isReady(isvc) && !isvc.status?.canaryStatuses?.length,
    );
    expect(rolledBack.status?.address?.url).toBe(`http://iris-r2-predictor.${namespace}.svc.cluster.local`);
    expect(servingContainer(await readDeployment("iris-r2-predictor"))?.image).toBe(image("r2"));
    expect(await deploymentsOf("iris")).toEqual(["iris-r2-predictor"]);
    expect(await kserveWarnings(config, namespace, "iris")).toEqual([]);
  });

  it("(e) accepts canaryTrafficPercent in Standard mode and splits nothing (kserve#5335)", async () => {
    await custom.createNamespacedCustomObject({
      ...inferenceServices,
      namespace,
      body: inferenceService("ctp", { predictor: { ...predictor("r1"), canaryTrafficPercent: 10 } }),
    });
    await untilInferenceService(config, namespace, "ctp", "Ready");
    // A new version with 10 % asked for the canary: the one Deployment is rolled to it entirely.
    await updateInferenceService(config, namespace, "ctp", (isvc) => {
      isvc.spec.predictor = { ...predictor("r2"), canaryTrafficPercent: 10 };
    });
    await until("every ctp pod on r2", async () => {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: "serving.kserve.io/inferenceservice=ctp",
      });
      const images = pods.items.map(
        (p) => p.spec?.containers.find((c) => c.name === "kserve-container")?.image,
      );
      return images.length === 1 && images[0] === image("r2") ? true : undefined;
    });
    const updated = await untilInferenceService(config, namespace, "ctp", "Ready");
    expect(updated.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(updated.status?.components?.predictor?.traffic).toBeUndefined();
    expect(updated.status?.canaryStatuses ?? []).toEqual([]);
    expect(conditionOf(updated, "CanaryPredictorReady")).toBeUndefined();
    expect(await deploymentsOf("ctp")).toEqual(["ctp-predictor"]);
    expect(new Set(await ingressBackends("ctp"))).toEqual(new Set(["ctp-predictor"]));
    const deployment = await readDeployment("ctp-predictor");
    expect(servingContainer(deployment)?.image).toBe(image("r2"));
    expect(deployment.spec?.replicas).toBe(1);
    expect((await readInferenceService(config, namespace, "ctp")).metadata.annotations).toMatchObject({
      [DEPLOYMENT_MODE_ANNOTATION]: "Standard",
    });
  });
});
