import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { moduleDir } from "./modules.js";

const clusterDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where each resource's YAML comes from: a path inside a Go module zip from the module proxy. */
interface ModuleFiles {
  module: string;
  files: string[];
}

/** A module's version as a committed go.mod under test/cluster/go pins it: `path@version`. */
function pinnedModule(goModule: string, path: string): string {
  const goMod = readFileSync(join(clusterDir, "go", goModule, "go.mod"), "utf8");
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const version = new RegExp(`^\\s*${escaped} (v\\S+)`, "m").exec(goMod)?.[1];
  if (!version) throw new Error(`test/cluster/go/${goModule}/go.mod does not require ${path}`);
  return `${path}@${version}`;
}

/** The Katib module the katib-controller is built from (go/katib/go.mod): its CRDs, webhooks, API. */
export function katibModule(): string {
  return pinnedModule("katib", "github.com/kubeflow/katib");
}

/** Files of the Katib module the harness reads besides its CRDs (paths inside the module). */
export const katibFiles = {
  /** The admission webhooks (defaulting, validation, the metrics-collector sidecar injection). */
  webhooks: "manifests/v1beta1/components/webhook/webhooks.yaml",
  /** The standalone install's KatibConfig: the images of suggestions, collectors, early stopping. */
  config: "manifests/v1beta1/installs/katib-standalone/katib-config.yaml",
  /** The gRPC API of the suggestion services, the DB manager and early stopping. */
  api: "pkg/apis/manager/v1beta1/api.proto",
} as const;

/** The KServe module the controller is built from (go/kserve/go.mod): its CRDs, webhooks, config. */
export function kserveModule(): string {
  return pinnedModule("kserve", "github.com/kserve/kserve");
}

/** Files of the KServe module the harness reads besides its CRDs (paths inside the module). */
export const kserveFiles = {
  /** The admission webhooks (InferenceService defaulting and validation, the pod mutator, ...). */
  webhooks: "config/webhook/manifests.yaml",
  /** The ConfigMap `inferenceservice-config` the controller reads at start and at each reconcile. */
  config: "config/configmap/inferenceservice.yaml",
} as const;

/** Kubeflow-style CRDs the tests install: Training Operator, Katib, KServe, Argo Workflows. */
export const kubeflowCrdSources: ModuleFiles[] = [
  {
    module: "github.com/kubeflow/training-operator@v1.9.3",
    files: [
      "manifests/base/crds/kubeflow.org_pytorchjobs.yaml",
      "manifests/base/crds/kubeflow.org_tfjobs.yaml",
    ],
  },
  {
    // The version of the controller the build pins (go/katib/go.mod).
    module: katibModule(),
    files: ["experiment.yaml", "trial.yaml", "suggestion.yaml"].map(
      (f) => `manifests/v1beta1/components/crd/${f}`,
    ),
  },
  {
    // The version of the controller the build pins (go/kserve/go.mod), with full schemas: what
    // upstream's config/crd/full kustomization installs (InferenceService's is 2 MB: created, never
    // client-side applied). LLMInferenceService and the local model cache are not installed.
    module: kserveModule(),
    files: [
      ...[
        "inferenceservices",
        "servingruntimes",
        "clusterservingruntimes",
        "trainedmodels",
        "inferencegraphs",
      ].map((f) => `config/crd/full/serving.kserve.io_${f}.yaml`),
      "config/crd/full/clusterstoragecontainer/serving.kserve.io_clusterstoragecontainers.yaml",
    ],
  },
  {
    // The Workflow with its full schema (the API server validates against it); the controller's
    // other kinds with their minimal ones, as Argo's own quick-start installs them.
    module: "github.com/argoproj/argo-workflows/v3@v3.7.3",
    files: [
      "manifests/base/crds/full/argoproj.io_workflows.yaml",
      ...[
        "workflowtaskresults",
        "workflowtasksets",
        "workflowtemplates",
        "clusterworkflowtemplates",
        "cronworkflows",
        "workflowartifactgctasks",
        "workfloweventbindings",
      ].map((kind) => `manifests/base/crds/minimal/argoproj.io_${kind}.yaml`),
    ],
  },
];

/** The kwok version the build pins, read from the committed go.mod. */
export function kwokModule(): string {
  return pinnedModule("kube", "sigs.k8s.io/kwok");
}

/** kwok's own CRDs for per-pod log files (Logs, ClusterLogs). */
export function kwokCrdSources(): ModuleFiles[] {
  const files = ["logs", "clusterlogs"].map((f) => `kustomize/crd/bases/kwok.x-k8s.io_${f}.yaml`);
  return [{ module: kwokModule(), files }];
}

/**
 * kwok's published stages (from its module zip): nodes initialise and heartbeat, pods become
 * Running, Job-owned pods complete, deleted pods go, and pods labelled for it fail with the
 * reason and exit code in their annotations. Our own stages in test/cluster/stages are added.
 */
export function kwokStageSources(): ModuleFiles[] {
  const files = [
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
    "pod/chaos/pod-container-running-failed.yaml",
  ].map((f) => `kustomize/stage/${f}`);
  return [{ module: kwokModule(), files }];
}

/** The label that keeps a Job-owned pod Running (kwok would complete it at once) until a test removes it. */
export const HOLD_LABEL = "parity.test/hold";

/**
 * kwok's pod-complete stage, made to leave pods labelled HOLD_LABEL Running: a test can then
 * watch a Job's pod run (and log) for as long as it needs, and release it by removing the label.
 * Other stages pass unchanged.
 */
export function holdLabelledJobPods(stage: string): string {
  if (!/^[ \t]*name: pod-complete[ \t]*$/m.test(stage)) return stage;
  const selector = /^([ \t]*)matchExpressions:\n/m;
  const indent = selector.exec(stage)?.[1];
  if (indent === undefined) throw new Error("kwok's pod-complete stage has no matchExpressions to extend");
  return stage.replace(
    selector,
    (line) =>
      `${line}${indent}- key: '.metadata.labels["${HOLD_LABEL}"]'\n${indent}  operator: 'DoesNotExist'\n`,
  );
}

export const ownStageFiles = ["pod-complete-labelled.yaml"].map((f) => join(clusterDir, "stages", f));

/** Reads the listed module files as text, downloading the module zips if needed. */
export async function readModuleFiles(sources: ModuleFiles[], cacheDir: string): Promise<string[]> {
  const texts: string[] = [];
  for (const source of sources) {
    const dir = await moduleDir(source.module, cacheDir);
    for (const file of source.files) texts.push(readFileSync(join(dir, file), "utf8"));
  }
  return texts;
}
