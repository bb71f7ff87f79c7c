import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload } from "../../src/core/manifests";
import { preflight } from "../../src/targets/kube/preflight";
import { freshNamespace, kubeConfig, useCluster } from "../cluster/harness/context";
import { gpuNodes } from "../cluster/harness/fixtures";

// The NVIDIA driver the report checks the image's CUDA against, read by the preflight from the
// labels GPU feature discovery puts on the nodes the job's GPU pod can land on. The fake A100 node
// gets the driver labels for this suite only (nothing else reads them) and loses them after.
const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
const GI = 1024 ** 3;
const DRIVER_LABELS = {
  "nvidia.com/cuda.driver.major": "535",
  "nvidia.com/cuda.driver.minor": "104",
  "nvidia.com/cuda.driver.rev": "05",
  "nvidia.com/cuda.runtime.major": "12",
  "nvidia.com/cuda.runtime.minor": "2",
};
/** A JSON patch path: the label's "/" written as JSON Pointer's "~1". */
const labelPath = (label: string) => `/metadata/labels/${label.replace("/", "~1")}`;
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(config, "gpu-driver");
  await core.patchNode({
    name: gpuNodes.a100.name,
    body: Object.entries(DRIVER_LABELS).map(([label, value]) => ({
      op: "add",
      path: labelPath(label),
      value,
    })),
  });
});

afterAll(async () => {
  await core.patchNode({
    name: gpuNodes.a100.name,
    body: Object.keys(DRIVER_LABELS).map((label) => ({ op: "remove", path: labelPath(label) })),
  });
});

describe("the nodes' NVIDIA driver in the preflight", () => {
  it("is the one the labels of the nodes a GPU job lands on say", async () => {
    const job = buildWorkload({
      name: "one-gpu-driver",
      namespace,
      image: "trainer:1",
      command: ["python", "/workspace/.parity/train.py"],
      env: {},
      workingDir: "/workspace",
      limits: { memoryBytes: 2 * GI, nanoCpus: 1e9, shmBytes: GI / 4, gpu: 1 },
      profileName: "cluster-test",
      runId: "one-gpu-driver-run",
      notebook: "notebooks/train.ipynb",
      cluster: { nodeSelector: {}, tolerations: [], protected: false },
    });
    // The H100 node is tainted: an untolerating GPU pod lands on the A100 node only.
    expect((await preflight(config, namespace, job)).gpuDriver).toEqual({
      version: "535.104.05",
      cudaVersion: "12.2",
      source: `node ${gpuNodes.a100.name}`,
    });
  });
});
