import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  canaryEdit,
  clusterServingConfig,
  deploymentModeOf,
  endpointStateOf,
  explainEndpointEvent,
  inferenceServiceManifest,
  inferenceServiceYaml,
  kserveCapabilities,
  promoteEdit,
  readinessOf,
  rollbackEdit,
  type InferenceService,
  type InferenceServiceInput,
  type InferenceServiceStatus,
  type KServeCapabilities,
  replaceModelEdit,
} from "../../../src/core/serving/inferenceService";

const GI = 1024 ** 3;
const MI = 1024 ** 2;
const STABLE_IMAGE = "registry.local/parity/iris-serve:abc123";
const CANARY_IMAGE = "registry.local/parity/iris-serve:def456";
const KSERVE_020: KServeCapabilities = { canarySpec: true, canaryStatuses: true };
const KSERVE_015: KServeCapabilities = { canarySpec: false, canaryStatuses: false };

function input(overrides: Partial<InferenceServiceInput> = {}): InferenceServiceInput {
  return {
    name: "iris",
    namespace: "demo",
    image: STABLE_IMAGE,
    revision: "m-1111aaaa",
    modelName: "iris",
    limits: { memoryBytes: GI, milliCpu: 1000, nanoCpus: 1e9, gpu: 0, shmBytes: 64 * MI },
    nodeSelector: { type: "kwok" },
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    mode: "Standard",
    ...overrides,
  };
}

/** The condition list KServe wrote on the Standard InferenceService that went Ready (REPORT.md §2, ran). */
const READY_CONDITIONS: InferenceServiceStatus["conditions"] = [
  { type: "IngressReady", status: "True" },
  {
    type: "PredictorReady",
    status: "True",
    reason: "NewReplicaSetAvailable",
    message: 'ReplicaSet "iris-predictor-867c7f7979" has successfully progressed.',
  },
  { type: "Ready", status: "True" },
  { type: "Stopped", status: "False", severity: "Info" },
];

/** The raw status after create, exactly as observed (an unnamed predictor: `iris-predictor`). */
const OBSERVED_STANDARD_STATUS: InferenceServiceStatus = {
  address: { url: "http://iris-predictor.demo.svc.cluster.local" },
  components: { predictor: { url: "http://iris-predictor-demo.example.com" } },
  conditions: READY_CONDITIONS,
  deploymentMode: "Standard",
  observedGeneration: 1,
  url: "http://iris-demo.example.com",
};

/** The report's object, created without Parity: no predictor name, no STORAGE_URI. */
function observedUnnamed(): InferenceService {
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: "iris",
      namespace: "demo",
      generation: 1,
      annotations: { "serving.kserve.io/deploymentMode": "Standard" },
    },
    spec: {
      predictor: {
        minReplicas: 1,
        nodeSelector: { type: "kwok" },
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        containers: [
          {
            name: "kserve-container",
            image: STABLE_IMAGE,
            args: ["--model_name=iris", "--http_port=8080"],
            ports: [{ containerPort: 8080, protocol: "TCP" }],
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
          },
        ],
      },
    },
    status: OBSERVED_STANDARD_STATUS,
  };
}

/** Parity's Standard endpoint as the cluster returns it once Ready: its predictor is named. */
function standardDeployed(): InferenceService {
  return {
    ...inferenceServiceManifest(input()),
    status: {
      ...OBSERVED_STANDARD_STATUS,
      address: { url: "http://iris-m-1111aaaa-predictor.demo.svc.cluster.local" },
      components: { predictor: { url: "http://iris-m-1111aaaa-predictor-demo.example.com" } },
    },
  };
}

/** The Knative status the report plays on /status while a 10 % canary runs. */
const KNATIVE_CANARY_STATUS: InferenceServiceStatus = {
  deploymentMode: "Knative",
  url: "http://iris-demo.example.com",
  conditions: [
    { type: "PredictorReady", status: "True" },
    { type: "IngressReady", status: "True" },
    { type: "Ready", status: "True" },
  ],
  components: {
    predictor: {
      url: "http://iris-predictor-demo.example.com",
      latestCreatedRevision: "iris-predictor-00002",
      latestReadyRevision: "iris-predictor-00002",
      latestRolledoutRevision: "iris-predictor-00001",
      previousRolledoutRevision: "",
      traffic: [
        {
          latestRevision: true,
          percent: 10,
          revisionName: "iris-predictor-00002",
          tag: "latest",
          url: "http://latest-iris-predictor-demo.example.com",
        },
        {
          latestRevision: false,
          percent: 90,
          revisionName: "iris-predictor-00001",
          tag: "prev",
          url: "http://prev-iris-predictor-demo.example.com",
        },
      ],
    },
  },
};

/** A Knative endpoint with revision 00001 rolled out and no canary. */
function knativeDeployed(): InferenceService {
  const predictor = KNATIVE_CANARY_STATUS.components!.predictor!;
  return {
    ...inferenceServiceManifest(input({ mode: "Knative" })),
    status: {
      ...KNATIVE_CANARY_STATUS,
      components: {
        predictor: {
          ...predictor,
          latestCreatedRevision: "iris-predictor-00001",
          latestReadyRevision: "iris-predictor-00001",
          traffic: [
            {
              latestRevision: true,
              percent: 100,
              revisionName: "iris-predictor-00001",
              tag: "latest",
              url: "http://latest-iris-predictor-demo.example.com",
            },
          ],
        },
      },
    },
  };
}

const canary = { image: CANARY_IMAGE, revision: "m-2222bbbb", percent: 10 };
const standardContext = { mode: "Standard" as const, capabilities: KSERVE_020, gatewayApi: false };
const knativeContext = { mode: "Knative" as const, capabilities: KSERVE_020 };

function refusal(action: () => unknown): ParityError {
  try {
    action();
  } catch (caught) {
    if (caught instanceof ParityError) return caught;
    throw caught;
  }
  throw new Error("expected a refusal");
}

function container(predictor: InferenceService["spec"]["predictor"]) {
  return predictor.containers!.find((each) => each.name === "kserve-container")!;
}

describe("inferenceServiceManifest", () => {
  it("writes the Standard InferenceService: named predictor, STORAGE_URI, requests equal to limits", () => {
    expect(
      inferenceServiceManifest(
        input({ labels: { "parity.dev/run": "serve-1" }, env: { TOKENIZERS_PARALLELISM: "false" } }),
      ),
    ).toEqual({
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      metadata: {
        name: "iris",
        namespace: "demo",
        labels: { "parity.dev/run": "serve-1", "app.kubernetes.io/managed-by": "parity" },
        annotations: { "serving.kserve.io/deploymentMode": "Standard" },
      },
      spec: {
        predictor: {
          name: "m-1111aaaa",
          minReplicas: 1,
          labels: { "app.kubernetes.io/managed-by": "parity", "parity.dev/revision": "m-1111aaaa" },
          nodeSelector: { type: "kwok" },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          containers: [
            {
              name: "kserve-container",
              image: STABLE_IMAGE,
              args: [
                "--model_name=iris",
                "--http_port=8080",
                "--workers=1",
                "--enable_grpc=false",
                "--enable_latency_logging=false",
              ],
              ports: [{ containerPort: 8080, protocol: "TCP" }],
              // The profile's env as the local container gets it, then the model's URI for KServe.
              env: [
                { name: "TOKENIZERS_PARALLELISM", value: "false" },
                { name: "STORAGE_URI", value: `oci://${STABLE_IMAGE}` },
              ],
              resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
              volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
            },
          ],
          // /dev/shm of the endpoint's size, memory-backed, as locally.
          volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }],
        },
      },
    });
  });

  it("leaves the Knative predictor unnamed (its Knative Service keeps one name) and asks for tag routing", () => {
    const isvc = inferenceServiceManifest(input({ mode: "Knative" }));
    expect(isvc.metadata?.annotations).toEqual({
      "serving.kserve.io/deploymentMode": "Knative",
      "serving.kserve.io/enable-tag-routing": "true",
    });
    expect(isvc.spec.predictor.name).toBeUndefined();
    expect(isvc.spec.predictor.labels?.["parity.dev/revision"]).toBe("m-1111aaaa");
    expect(container(isvc.spec.predictor).env).toBeUndefined();
  });

  it("asks for GPUs in requests and limits alike, fractional CPU in millicores, and no empty placement", () => {
    const isvc = inferenceServiceManifest(
      input({
        limits: { memoryBytes: 3 * GI, milliCpu: 2500, nanoCpus: 2.5e9, gpu: 2, shmBytes: 0 },
        nodeSelector: {},
        tolerations: [],
      }),
    );
    const resources = { cpu: "2500m", memory: "3Gi", "nvidia.com/gpu": "2" };
    expect(container(isvc.spec.predictor).resources).toEqual({ requests: resources, limits: resources });
    expect(isvc.spec.predictor).not.toHaveProperty("nodeSelector");
    expect(isvc.spec.predictor).not.toHaveProperty("tolerations");
  });

  it("keeps the deployment mode it was given over a caller's annotation", () => {
    const isvc = inferenceServiceManifest(
      input({ annotations: { "serving.kserve.io/deploymentMode": "Knative", "team/owner": "ml" } }),
    );
    expect(isvc.metadata?.annotations).toEqual({
      "serving.kserve.io/deploymentMode": "Standard",
      "team/owner": "ml",
    });
  });

  it("renders YAML that reads back as the same object", () => {
    const isvc = inferenceServiceManifest(input());
    const yaml = inferenceServiceYaml(isvc);
    expect(yaml.startsWith("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n")).toBe(true);
    expect(load(yaml)).toEqual(isvc);
  });

  it("refuses ModelMesh, names KServe would refuse, and a Service name over 63 characters", () => {
    expect(refusal(() => inferenceServiceManifest(input({ mode: "ModelMesh" }))).code).toBe(
      "EndpointModeUnsupported",
    );
    const badName = refusal(() => inferenceServiceManifest(input({ name: "1_Iris" })));
    expect(badName.code).toBe("EndpointNameInvalid");
    expect(badName.fix).toContain('"iris"');
    expect(refusal(() => inferenceServiceManifest(input({ revision: "M_1" }))).code).toBe(
      "EndpointRevisionInvalid",
    );
    const long = refusal(() => inferenceServiceManifest(input({ name: "a".repeat(50) })));
    expect(long.code).toBe("EndpointNameTooLong");
    expect(long.fix).toContain("at most 42 characters");
    // Knative names no Service after the revision.
    expect(
      inferenceServiceManifest(input({ name: "a".repeat(50), mode: "Knative" })).metadata?.name,
    ).toHaveLength(50);
  });
});

describe("deploymentModeOf and clusterServingConfig", () => {
  it("reads the status first, then the annotation (legacy names normalised), then the cluster's default", () => {
    const isvc = observedUnnamed();
    expect(deploymentModeOf(isvc, "Knative")).toEqual({ mode: "Standard", source: "status" });
    const unreconciled = { ...isvc, status: undefined };
    unreconciled.metadata = {
      ...isvc.metadata,
      annotations: { "serving.kserve.io/deploymentMode": "Serverless" },
    };
    expect(deploymentModeOf(unreconciled)).toEqual({ mode: "Knative", source: "annotation" });
    unreconciled.metadata = {
      ...isvc.metadata,
      annotations: { "serving.kserve.io/deploymentMode": "RawDeployment" },
    };
    expect(deploymentModeOf(unreconciled)).toEqual({ mode: "Standard", source: "annotation" });
    unreconciled.metadata = { name: "iris" };
    expect(deploymentModeOf(unreconciled, "Knative")).toEqual({ mode: "Knative", source: "cluster default" });
    expect(deploymentModeOf(unreconciled)).toEqual({ mode: "Standard", source: "cluster default" });
  });

  it("reads the ConfigMap's deploy and ingress entries as KServe's controller does", () => {
    expect(
      clusterServingConfig({
        deploy: '{"defaultDeploymentMode": "Serverless"}',
        ingress: '{"ingressGateway": "knative-serving/knative-ingress-gateway", "enableGatewayApi": false}',
      }),
    ).toEqual({ defaultDeploymentMode: "Knative", enableGatewayApi: false });
    expect(
      clusterServingConfig({
        deploy: '{"defaultDeploymentMode":"Standard"}',
        ingress: '{"enableGatewayApi": true, "kserveIngressGateway": "kserve/kserve-ingress-gateway"}',
      }),
    ).toEqual({ defaultDeploymentMode: "Standard", enableGatewayApi: true });
    expect(clusterServingConfig({})).toEqual({ defaultDeploymentMode: "Standard", enableGatewayApi: false });
    expect(clusterServingConfig(undefined)).toEqual({
      defaultDeploymentMode: "Standard",
      enableGatewayApi: false,
    });
  });

  it("refuses entries KServe could not read, naming the entry and the ConfigMap", () => {
    const badJson = refusal(() => clusterServingConfig({ deploy: "{defaultDeploymentMode: Standard" }));
    expect(badJson.code).toBe("KServeConfigInvalid");
    expect(badJson.message).toMatch(
      /^The "deploy" entry of the ConfigMap inferenceservice-config in namespace kserve is not valid JSON/,
    );
    expect(badJson.fix).toContain("kubectl -n kserve edit configmap inferenceservice-config");
    expect(
      refusal(() => clusterServingConfig({ deploy: '{"defaultDeploymentMode":"Raw"}' })).message,
    ).toContain('defaultDeploymentMode "Raw", which is not Standard, Knative or ModelMesh');
    expect(refusal(() => clusterServingConfig({ deploy: "{}" })).message).toContain(
      "has no defaultDeploymentMode",
    );
    expect(refusal(() => clusterServingConfig({ ingress: "[]" })).message).toContain("is not a JSON object");
    expect(refusal(() => clusterServingConfig({ ingress: '{"enableGatewayApi":"true"}' })).message).toContain(
      'enableGatewayApi "true", which is not true or false',
    );
  });
});

describe("kserveCapabilities", () => {
  const crd = (spec: Record<string, object>, status: Record<string, object>) => ({
    spec: {
      versions: [
        {
          name: "v1beta1",
          schema: {
            openAPIV3Schema: { properties: { spec: { properties: spec }, status: { properties: status } } },
          },
        },
      ],
    },
  });

  it("finds spec.canary and status.canaryStatuses in the v1beta1 schema (KServe 0.20)", () => {
    expect(kserveCapabilities(crd({ predictor: {}, canary: {} }, { canaryStatuses: {}, url: {} }))).toEqual(
      KSERVE_020,
    );
  });

  it("finds neither in KServe 0.15's schema, nor in a CRD without v1beta1", () => {
    expect(kserveCapabilities(crd({ predictor: {} }, { url: {} }))).toEqual(KSERVE_015);
    expect(kserveCapabilities({ spec: { versions: [{ name: "v1alpha1" }] } })).toEqual(KSERVE_015);
    expect(kserveCapabilities({})).toEqual(KSERVE_015);
  });
});

describe("canaryEdit, Knative mode", () => {
  it("runs the new image in the same predictor with canaryTrafficPercent, remembering the stable revision", () => {
    const current = knativeDeployed();
    const before = structuredClone(current);
    const edit = canaryEdit(current, canary, knativeContext);
    const predictor = edit.isvc.spec.predictor;
    expect(predictor.name).toBeUndefined();
    expect(predictor.canaryTrafficPercent).toBe(10);
    expect(predictor.labels?.["parity.dev/revision"]).toBe("m-2222bbbb");
    expect(container(predictor).image).toBe(CANARY_IMAGE);
    expect(container(predictor).args).toEqual(container(current.spec.predictor).args);
    expect(edit.isvc.metadata?.annotations?.["parity.dev/stable-revision"]).toBe("m-1111aaaa");
    expect(edit.isvc.spec.canary).toBeUndefined();
    expect(edit.traffic).toEqual([
      { revision: "m-1111aaaa", percent: 90, tag: "prev", applied: true },
      { revision: "m-2222bbbb", percent: 10, tag: "latest", applied: true },
    ]);
    expect(edit.notes[0]).toContain("90 % to the rolled-out one (iris-predictor-00001)");
    expect(current).toEqual(before);
  });

  it("changes only the percentage when asked again for the running canary, and says when one replaces another", () => {
    const running = {
      ...canaryEdit(knativeDeployed(), canary, knativeContext).isvc,
      status: KNATIVE_CANARY_STATUS,
    };
    const more = canaryEdit(running, { ...canary, percent: 50 }, knativeContext);
    expect(more.isvc.spec.predictor.canaryTrafficPercent).toBe(50);
    expect(container(more.isvc.spec.predictor).image).toBe(CANARY_IMAGE);
    expect(more.notes).toHaveLength(1);
    const other = canaryEdit(
      running,
      { image: "registry.local/parity/iris-serve:fff999", revision: "m-3333cccc", percent: 20 },
      knativeContext,
    );
    expect(other.isvc.metadata?.annotations?.["parity.dev/stable-revision"]).toBe("m-1111aaaa");
    expect(other.notes[1]).toBe("This replaces the canary m-2222bbbb, which stops getting traffic.");
  });

  it("refuses the stable revision itself, even while another canary runs", () => {
    const same = refusal(() =>
      canaryEdit(knativeDeployed(), { ...canary, revision: "m-1111aaaa" }, knativeContext),
    );
    expect(same.code).toBe("CanarySameRevision");
    expect(same.message).toContain("already the endpoint iris's stable revision");
    expect(
      refusal(() => canaryEdit(knativeDeployed(), { ...canary, image: STABLE_IMAGE }, knativeContext)).code,
    ).toBe("CanarySameRevision");
    const running = canaryEdit(knativeDeployed(), canary, knativeContext).isvc;
    expect(
      refusal(() => canaryEdit(running, { ...canary, revision: "m-1111aaaa" }, knativeContext)).code,
    ).toBe("CanarySameRevision");
  });

  it("refuses before a revision is rolled out, when KServe would give the canary all traffic", () => {
    const fresh = { ...knativeDeployed(), status: { deploymentMode: "Knative" } };
    const error = refusal(() => canaryEdit(fresh, canary, knativeContext));
    expect(error.code).toBe("CanaryNotRolledOut");
    expect(error.message).toContain("all of the traffic");
  });
});

describe("canaryEdit, Standard mode", () => {
  it("adds spec.canary beside the named stable predictor, which stays as it was", () => {
    const current = standardDeployed();
    const edit = canaryEdit(current, canary, standardContext);
    expect(edit.isvc.spec.predictor).toEqual(current.spec.predictor);
    expect(edit.isvc.metadata?.annotations?.["serving.kserve.io/deploymentMode"]).toBe("Standard");
    expect(edit.isvc.spec.canary).toEqual([
      {
        trafficPercent: 10,
        predictor: {
          ...current.spec.predictor,
          name: "m-2222bbbb",
          labels: { "app.kubernetes.io/managed-by": "parity", "parity.dev/revision": "m-2222bbbb" },
          containers: [
            {
              ...container(current.spec.predictor),
              image: CANARY_IMAGE,
              env: [{ name: "STORAGE_URI", value: `oci://${CANARY_IMAGE}` }],
            },
          ],
        },
      },
    ]);
  });

  it("says truthfully that KServe 0.20 routes nothing by the percentage, and where the canary answers", () => {
    const edit = canaryEdit(standardDeployed(), canary, standardContext);
    expect(edit.traffic).toEqual([
      {
        revision: "m-1111aaaa",
        percent: 100,
        tag: "stable",
        url: "http://iris-m-1111aaaa-predictor.demo.svc.cluster.local",
        applied: true,
      },
      {
        revision: "m-2222bbbb",
        percent: 10,
        tag: "canary",
        url: "http://iris-m-2222bbbb-predictor.demo.svc.cluster.local",
        applied: false,
      },
    ]);
    expect(edit.notes).toEqual([
      "KServe records the canary's trafficPercent but routes nothing by it: only Gateway API routes are weighted, in releases after 0.20.0, and this cluster uses a Kubernetes Ingress (ingress.enableGatewayApi is off). Every request to the endpoint's URL goes to the stable predictor m-1111aaaa; the canary answers at its own Service, http://iris-m-2222bbbb-predictor.demo.svc.cluster.local.",
    ]);
    const gateway = canaryEdit(standardDeployed(), canary, { ...standardContext, gatewayApi: true });
    expect(gateway.notes[0]).toContain("weighted Gateway API routes came in later releases (kserve#5912)");
    expect(gateway.traffic[1]!.applied).toBe(false);
    const unknown = canaryEdit(standardDeployed(), canary, { mode: "Standard", capabilities: KSERVE_020 });
    expect(unknown.notes[0]).toContain(
      "may use a Kubernetes Ingress (ingress.enableGatewayApi could not be read)",
    );
  });

  it("leaves autoscaling off the canary, as KServe's webhook requires", () => {
    const current = standardDeployed();
    current.spec.predictor = {
      ...current.spec.predictor,
      maxReplicas: 3,
      scaleMetric: "cpu",
      scaleTarget: 80,
    };
    const predictor = canaryEdit(current, canary, standardContext).isvc.spec.canary![0]!.predictor;
    expect(predictor).not.toHaveProperty("maxReplicas");
    expect(predictor).not.toHaveProperty("scaleMetric");
    expect(predictor).not.toHaveProperty("scaleTarget");
    expect(predictor.minReplicas).toBe(1);
  });

  it("refuses on KServe without spec.canary, where canaryTrafficPercent is silently ignored (kserve#5335)", () => {
    const error = refusal(() =>
      canaryEdit(standardDeployed(), canary, { ...standardContext, capabilities: KSERVE_015 }),
    );
    expect(error.code).toBe("CanaryUnsupported");
    expect(error.message).toContain("silently ignores canaryTrafficPercent (kserve#5335)");
    expect(error.fix).toContain("KServe 0.20 or later, or Knative mode");
  });

  it("refuses beside an unnamed stable predictor, or one without a model", () => {
    const unnamed = refusal(() => canaryEdit(observedUnnamed(), canary, standardContext));
    expect(unnamed.code).toBe("CanaryStableUnnamed");
    expect(unnamed.fix).toContain("Deploy iris again with Parity");
    const withoutModel = observedUnnamed();
    withoutModel.spec.predictor.name = "v1";
    const noModel = refusal(() => canaryEdit(withoutModel, canary, standardContext));
    expect(noModel.code).toBe("CanaryStableWithoutModel");
  });

  it("refuses the stable revision, a percentage outside 1-99, ModelMesh, and someone else's canaries", () => {
    expect(
      refusal(() => canaryEdit(standardDeployed(), { ...canary, revision: "m-1111aaaa" }, standardContext))
        .code,
    ).toBe("CanarySameRevision");
    for (const percent of [0, 100, 10.5, -5]) {
      const error = refusal(() => canaryEdit(standardDeployed(), { ...canary, percent }, standardContext));
      expect(error.code).toBe("CanaryPercentInvalid");
      expect(error.message).toContain("--canary");
    }
    expect(
      refusal(() => canaryEdit(standardDeployed(), canary, { ...standardContext, mode: "ModelMesh" })).code,
    ).toBe("EndpointModeUnsupported");
    const two = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    two.spec.canary = [...two.spec.canary!, { trafficPercent: 5, predictor: { name: "other" } }];
    const many = refusal(() => canaryEdit(two, { ...canary, revision: "m-3333cccc" }, standardContext));
    expect(many.code).toBe("CanaryMultiple");
    expect(many.message).toContain("(m-2222bbbb, other)");
  });

  it("replaces a running canary with a new one, saying KServe deletes the old one", () => {
    const running = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    const next = canaryEdit(
      running,
      { image: "r/iris:3", revision: "m-3333cccc", percent: 30 },
      standardContext,
    );
    expect(next.isvc.spec.canary!.map((each) => each.predictor.name)).toEqual(["m-3333cccc"]);
    expect(next.notes[1]).toBe(
      "This replaces the canary m-2222bbbb: KServe deletes its Deployment and Service.",
    );
  });
});

describe("promoteEdit and rollbackEdit", () => {
  it("Standard: canary then promote makes the canary the named stable predictor", () => {
    const current = standardDeployed();
    const running = canaryEdit(current, canary, standardContext).isvc;
    const promoted = promoteEdit(running, "Standard");
    const predictor = promoted.isvc.spec.predictor;
    expect(promoted.isvc.spec.canary).toBeUndefined();
    expect(predictor.name).toBe("m-2222bbbb");
    expect(predictor.labels?.["parity.dev/revision"]).toBe("m-2222bbbb");
    expect(container(predictor).image).toBe(CANARY_IMAGE);
    expect(container(predictor).env).toEqual([{ name: "STORAGE_URI", value: `oci://${CANARY_IMAGE}` }]);
    expect(predictor.minReplicas).toBe(1);
    expect(predictor.nodeSelector).toEqual({ type: "kwok" });
    expect(promoted.traffic).toEqual([
      {
        revision: "m-2222bbbb",
        percent: 100,
        tag: "stable",
        url: "http://iris-m-2222bbbb-predictor.demo.svc.cluster.local",
        applied: true,
      },
    ]);
    expect(promoted.notes[0]).toContain("deletes iris-m-1111aaaa-predictor");
    // The promoted endpoint is a stable one again: a canary of the old model is allowed.
    expect(
      canaryEdit(promoted.isvc, { ...canary, image: STABLE_IMAGE, revision: "m-1111aaaa" }, standardContext)
        .isvc.spec.canary,
    ).toHaveLength(1);
  });

  it("Standard: canary then roll back gives back the spec as it was", () => {
    const current = standardDeployed();
    const rolledBack = rollbackEdit(canaryEdit(current, canary, standardContext).isvc, "Standard");
    expect(rolledBack.isvc.spec).toEqual(current.spec);
    expect(rolledBack.isvc.metadata).toEqual(current.metadata);
    expect(rolledBack.notes[0]).toBe(
      "KServe deletes the canary's Deployment and Service (iris-m-2222bbbb-predictor); m-1111aaaa keeps serving.",
    );
  });

  it("Knative: canary then promote drops canaryTrafficPercent and the stable-revision note", () => {
    const running = canaryEdit(knativeDeployed(), canary, knativeContext).isvc;
    const promoted = promoteEdit(running, "Knative");
    expect(promoted.isvc.spec.predictor).not.toHaveProperty("canaryTrafficPercent");
    expect(container(promoted.isvc.spec.predictor).image).toBe(CANARY_IMAGE);
    expect(promoted.isvc.metadata?.annotations).not.toHaveProperty("parity.dev/stable-revision");
    expect(promoted.traffic).toEqual([
      { revision: "m-2222bbbb", percent: 100, tag: "latest", applied: true },
    ]);
  });

  it("Knative: canary then roll back sets canaryTrafficPercent to 0 and keeps the canary's revision", () => {
    const running = canaryEdit(knativeDeployed(), canary, knativeContext).isvc;
    const rolledBack = rollbackEdit(running, "Knative");
    expect(rolledBack.isvc.spec.predictor.canaryTrafficPercent).toBe(0);
    expect(container(rolledBack.isvc.spec.predictor).image).toBe(CANARY_IMAGE);
    expect(rolledBack.traffic).toEqual([
      { revision: "m-1111aaaa", percent: 100, tag: "prev", applied: true },
      { revision: "m-2222bbbb", percent: 0, tag: "latest", applied: true },
    ]);
    expect(rolledBack.notes[0]).toContain("stays deployed with no traffic");
    // A rolled-back canary is no canary: neither promoted nor rolled back again, but it may run again.
    expect(refusal(() => promoteEdit(rolledBack.isvc, "Knative")).code).toBe("CanaryRolledBack");
    expect(refusal(() => rollbackEdit(rolledBack.isvc, "Knative")).code).toBe("CanaryRolledBack");
    expect(canaryEdit(rolledBack.isvc, canary, knativeContext).isvc.spec.predictor.canaryTrafficPercent).toBe(
      10,
    );
  });

  it("refuses without a canary, in both modes, and in ModelMesh", () => {
    for (const [isvc, mode] of [
      [standardDeployed(), "Standard"],
      [knativeDeployed(), "Knative"],
    ] as const) {
      const promote = refusal(() => promoteEdit(isvc, mode));
      expect(promote.code).toBe("CanaryMissing");
      expect(promote.message).toBe("The endpoint iris has no canary to promote.");
      expect(refusal(() => rollbackEdit(isvc, mode)).message).toBe(
        "The endpoint iris has no canary to roll back.",
      );
    }
    expect(refusal(() => promoteEdit(standardDeployed(), "ModelMesh")).code).toBe("EndpointModeUnsupported");
  });
});

describe("endpointStateOf", () => {
  it("reads the observed Standard status: one stable predictor with all traffic", () => {
    expect(endpointStateOf(observedUnnamed())).toEqual({
      mode: "Standard",
      modeSource: "status",
      conditions: [
        { type: "IngressReady", status: "True" },
        {
          type: "PredictorReady",
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: 'ReplicaSet "iris-predictor-867c7f7979" has successfully progressed.',
        },
        { type: "Ready", status: "True" },
        { type: "Stopped", status: "False" },
      ],
      url: "http://iris-demo.example.com",
      internalUrl: "http://iris-predictor.demo.svc.cluster.local",
      traffic: [
        {
          revision: "iris-predictor",
          percent: 100,
          tag: "stable",
          url: "http://iris-predictor.demo.svc.cluster.local",
          applied: true,
        },
      ],
    });
  });

  it("records a Standard canary's requested share as not applied, with its own Service", () => {
    const running = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    running.status = {
      ...running.status,
      canaryStatuses: [{ name: "m-2222bbbb", ready: true, trafficPercent: 10 }],
    };
    const state = endpointStateOf(running);
    expect(state.revision).toBe("m-1111aaaa");
    expect(state.previousRevision).toBeUndefined();
    expect(state.traffic).toEqual([
      {
        revision: "m-1111aaaa",
        percent: 100,
        tag: "stable",
        url: "http://iris-m-1111aaaa-predictor.demo.svc.cluster.local",
        applied: true,
      },
      {
        revision: "m-2222bbbb",
        percent: 10,
        tag: "canary",
        url: "http://iris-m-2222bbbb-predictor.demo.svc.cluster.local",
        applied: false,
      },
    ]);
  });

  it("reads the played Knative status: the split KServe applies, by Knative's revisions", () => {
    const running = {
      ...canaryEdit(knativeDeployed(), canary, knativeContext).isvc,
      status: KNATIVE_CANARY_STATUS,
    };
    const state = endpointStateOf(running);
    expect(state.mode).toBe("Knative");
    expect(state.revision).toBe("iris-predictor-00001");
    expect(state.previousRevision).toBeUndefined();
    expect(state.url).toBe("http://iris-demo.example.com");
    expect(state.internalUrl).toBeUndefined();
    expect(state.traffic).toEqual([
      {
        revision: "iris-predictor-00002",
        percent: 10,
        tag: "latest",
        url: "http://latest-iris-predictor-demo.example.com",
        applied: true,
      },
      {
        revision: "iris-predictor-00001",
        percent: 90,
        tag: "prev",
        url: "http://prev-iris-predictor-demo.example.com",
        applied: true,
      },
    ]);
  });

  it("reads the Knative status after promote: the new revision rolled out, the old one previous", () => {
    const promoted = promoteEdit(canaryEdit(knativeDeployed(), canary, knativeContext).isvc, "Knative").isvc;
    promoted.status = {
      ...KNATIVE_CANARY_STATUS,
      components: {
        predictor: {
          ...KNATIVE_CANARY_STATUS.components!.predictor,
          latestRolledoutRevision: "iris-predictor-00002",
          previousRolledoutRevision: "iris-predictor-00001",
          traffic: [{ latestRevision: true, percent: 100, revisionName: "iris-predictor-00002" }],
        },
      },
    };
    const state = endpointStateOf(promoted);
    expect(state.revision).toBe("iris-predictor-00002");
    expect(state.previousRevision).toBe("iris-predictor-00001");
    expect(state.traffic).toEqual([{ revision: "iris-predictor-00002", percent: 100, applied: true }]);
    expect(readinessOf(promoted)).toEqual({ ready: true });
  });
});

describe("readinessOf", () => {
  it("is ready on the observed status, whatever observedGeneration says (KServe copies the Deployment's)", () => {
    expect(readinessOf(observedUnnamed())).toEqual({ ready: true });
    const later = standardDeployed();
    later.metadata = { ...later.metadata, generation: 4 };
    expect(readinessOf(later)).toEqual({ ready: true });
  });

  it("waits for KServe to reconcile a new object", () => {
    const fresh = inferenceServiceManifest(input());
    expect(readinessOf(fresh)).toEqual({
      ready: false,
      waitingFor: "KServe to reconcile the InferenceService",
    });
  });

  it("waits for a Standard canary to be applied and then to become available", () => {
    const running = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    expect(readinessOf(running).waitingFor).toBe("KServe to apply the InferenceService's latest change");
    running.status = {
      ...running.status,
      canaryStatuses: [{ name: "m-2222bbbb", ready: false, trafficPercent: 10 }],
    };
    running.status.conditions = [
      ...READY_CONDITIONS!,
      { type: "CanaryPredictorReady", status: "False", reason: "CanariesNotReady" },
    ];
    expect(readinessOf(running)).toEqual({
      ready: false,
      waitingFor: "the canary predictor iris-m-2222bbbb-predictor to become available",
    });
    running.status = {
      ...running.status,
      canaryStatuses: [{ name: "m-2222bbbb", ready: true, trafficPercent: 10 }],
    };
    expect(readinessOf(running)).toEqual({ ready: true });
  });

  it("waits after a Standard promote until the endpoint's address has moved to the new predictor", () => {
    const running = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    const promoted = promoteEdit(running, "Standard").isvc;
    expect(readinessOf(promoted).waitingFor).toBe("KServe to apply the InferenceService's latest change");
    promoted.status = {
      ...promoted.status,
      address: { url: "http://iris-m-2222bbbb-predictor.demo.svc.cluster.local" },
    };
    expect(readinessOf(promoted)).toEqual({ ready: true });
  });

  it("waits for the Knative split asked for, and for the latest revision to be ready", () => {
    const running = {
      ...canaryEdit(knativeDeployed(), canary, knativeContext).isvc,
      status: KNATIVE_CANARY_STATUS,
    };
    expect(readinessOf(running)).toEqual({ ready: true });
    const more = canaryEdit(running, { ...canary, percent: 20 }, knativeContext).isvc;
    expect(readinessOf(more).waitingFor).toBe("KServe to apply the InferenceService's latest change");
    const creating = structuredClone(running);
    creating.status!.components!.predictor!.latestCreatedRevision = "iris-predictor-00003";
    expect(readinessOf(creating).waitingFor).toBe("the revision iris-predictor-00003 to become ready");
    const rolledBack = rollbackEdit(running, "Knative").isvc;
    rolledBack.status = structuredClone(KNATIVE_CANARY_STATUS);
    rolledBack.status.components!.predictor!.traffic = [
      { latestRevision: true, percent: 0, revisionName: "iris-predictor-00002" },
      { latestRevision: false, percent: 100, revisionName: "iris-predictor-00001", tag: "prev" },
    ];
    expect(readinessOf(rolledBack)).toEqual({ ready: true });
  });

  it("waits while the Deployment has too few replicas, and explains a missed progress deadline", () => {
    const starting = standardDeployed();
    starting.status!.conditions = [
      { type: "IngressReady", status: "True" },
      {
        type: "PredictorReady",
        status: "False",
        reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.",
      },
      {
        type: "Ready",
        status: "False",
        reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.",
      },
    ];
    expect(readinessOf(starting)).toEqual({
      ready: false,
      waitingFor:
        "the endpoint to become Ready (MinimumReplicasUnavailable: Deployment does not have minimum availability.)",
    });
    const stuck = standardDeployed();
    const deadline = {
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: 'ReplicaSet "iris-m-1111aaaa-predictor-5d8f" has timed out progressing.',
    };
    stuck.status!.conditions = [
      { type: "Ready", ...deadline },
      { type: "IngressReady", status: "True" },
      { type: "PredictorReady", ...deadline },
    ];
    const { failed } = readinessOf(stuck);
    expect(failed?.reason).toBe("ProgressDeadlineExceeded");
    expect(failed?.message).toBe(
      `The endpoint's pods did not become ready within the Deployment's progress deadline: ${deadline.message}`,
    );
    expect(failed?.fix).toContain("kubectl -n demo describe pods -l serving.kserve.io/inferenceservice=iris");
  });

  it("explains pods Kubernetes would not create, a Knative refusal of placement, and a stopped endpoint", () => {
    const quota = standardDeployed();
    quota.status!.conditions = [
      {
        type: "PredictorReady",
        status: "False",
        reason: "FailedCreate",
        message: 'pods "iris-m-1111aaaa-predictor-5d8f-x" is forbidden: exceeded quota: compute',
      },
    ];
    expect(readinessOf(quota).failed?.fix).toContain("ResourceQuota");
    const knative = knativeDeployed();
    knative.status!.conditions = [
      {
        type: "PredictorReady",
        status: "False",
        reason: "RevisionFailed",
        message: "must not set the field(s): spec.template.spec.nodeSelector",
      },
    ];
    expect(readinessOf(knative).failed?.fix).toContain("kubernetes.podspec-nodeselector");
    const stopped = standardDeployed();
    stopped.status!.conditions = [{ type: "Stopped", status: "True" }];
    expect(readinessOf(stopped).failed?.reason).toBe("Stopped");
  });
});

describe("explainEndpointEvent", () => {
  it("explains Knative mode without Knative and a failed reconcile", () => {
    const rejected = explainEndpointEvent({
      type: "Warning",
      reason: "ServerlessModeRejected",
      message: "It is not possible to use Knative deployment mode when Knative Services are not available",
    });
    expect(rejected?.message).toContain("Knative Serving is not installed");
    expect(rejected?.fix).toContain("Standard mode");
    const internal = explainEndpointEvent({
      type: "Warning",
      reason: "InternalError",
      message: 'fails to reconcile predictor: admission webhook denied the request: quota "compute" exceeded',
    });
    expect(internal?.message).toBe(
      'KServe could not reconcile the endpoint: fails to reconcile predictor: admission webhook denied the request: quota "compute" exceeded',
    );
  });

  it("lets KServe's own optimistic-concurrency conflicts, readiness changes and ingress noise pass", () => {
    expect(
      explainEndpointEvent({
        type: "Warning",
        reason: "UpdateFailed",
        message:
          'Failed to update status for InferenceService "iris": Operation cannot be fulfilled on inferenceservices.serving.kserve.io "iris": the object has been modified; please apply your changes to the latest version and try again',
      }),
    ).toBeUndefined();
    // The same conflict reported as InternalError by KServe 0.20.0's reconciler (seen on the real controller).
    expect(
      explainEndpointEvent({
        type: "Warning",
        reason: "InternalError",
        message:
          'Operation cannot be fulfilled on inferenceservices.serving.kserve.io "iris": the object has been modified; please apply your changes to the latest version and try again',
      }),
    ).toBeUndefined();
    expect(explainEndpointEvent({ type: "Warning", reason: "VirtualServiceCRDNotFound" })).toBeUndefined();
    expect(explainEndpointEvent({ type: "Normal", reason: "InferenceServiceReady" })).toBeUndefined();
    expect(
      explainEndpointEvent({
        type: "Warning",
        reason: "UpdateFailed",
        message: "etcdserver: request timed out",
      })?.fix,
    ).toContain("retries by itself");
  });
});

describe("the new model's own settings", () => {
  /** The predictor a fresh manifest writes for the canary's model: more memory, its env, a GPU pool. */
  const fresh = inferenceServiceManifest(
    input({
      image: CANARY_IMAGE,
      revision: "m-2222bbbb",
      limits: { memoryBytes: 2 * GI, milliCpu: 2000, nanoCpus: 2e9, gpu: 0, shmBytes: 128 * MI },
      nodeSelector: { pool: "serving" },
      env: { OMP_NUM_THREADS: "2" },
    }),
  ).spec.predictor;

  it("a Standard canary runs under its model's limits, env and placement, not the stable's", () => {
    const edit = canaryEdit(standardDeployed(), { ...canary, predictor: fresh }, standardContext);
    const predictor = edit.isvc.spec.canary![0]!.predictor;
    expect(predictor.name).toBe("m-2222bbbb");
    expect(predictor.nodeSelector).toEqual({ pool: "serving" });
    expect(container(predictor).resources?.limits).toEqual({ cpu: "2", memory: "2Gi" });
    expect(container(predictor).resources?.requests).toEqual({ cpu: "2", memory: "2Gi" });
    expect(container(predictor).env).toContainEqual({ name: "OMP_NUM_THREADS", value: "2" });
    expect(container(predictor).image).toBe(CANARY_IMAGE);
    // The stable predictor is left as it was.
    expect(container(edit.isvc.spec.predictor).resources?.limits).toEqual({ cpu: "1", memory: "1Gi" });
  });

  it("a Knative canary's revision runs under its model's settings, its predictor still unnamed", () => {
    const edit = canaryEdit(
      knativeDeployed(),
      { ...canary, predictor: { ...fresh, name: undefined } },
      knativeContext,
    );
    expect(edit.isvc.spec.predictor.name).toBeUndefined();
    expect(edit.isvc.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(container(edit.isvc.spec.predictor).resources?.limits).toEqual({ cpu: "2", memory: "2Gi" });
  });

  it("a new model in place of the endpoint's keeps its Standard predictor's name, so KServe rolls it", () => {
    const current = standardDeployed();
    const edit = replaceModelEdit(current, { ...current, spec: { predictor: fresh } }, "m-2222bbbb");
    const predictor = edit.isvc.spec.predictor;
    expect(predictor.name).toBe(current.spec.predictor.name);
    expect(predictor.labels?.["parity.dev/revision"]).toBe("m-2222bbbb");
    expect(container(predictor).image).toBe(CANARY_IMAGE);
    expect(container(predictor).resources?.limits).toEqual({ cpu: "2", memory: "2Gi" });
    expect(edit.isvc.metadata?.resourceVersion).toBe(current.metadata?.resourceVersion);
    expect(edit.notes.join(" ")).toMatch(/old pods serve until then/);
  });

  it("refuses to replace the model while a canary runs", () => {
    const withCanary = canaryEdit(standardDeployed(), canary, standardContext).isvc;
    expect(refusal(() => replaceModelEdit(withCanary, withCanary, "m-3333cccc")).code).toBe(
      "CanaryInProgress",
    );
  });
});

describe("someone else's InferenceService", () => {
  it("is not replaced: it has no managed-by parity label", () => {
    const theirs = standardDeployed();
    theirs.metadata = { ...theirs.metadata, labels: { team: "search" } };
    const error = refusal(() => replaceModelEdit(theirs, standardDeployed(), "m-2222bbbb"));
    expect(error.code).toBe("EndpointNotParity");
    expect(error.message).toMatch(/was not deployed by Parity/);
    expect(error.fix).toMatch(/serving\.name/);
  });
});
