import { describe, expect, it } from "vitest";
import type { NodeItem, PodItem, WorkloadItem } from "../../../src/core/cluster/objects";
import { healthAges, healthWords, type ClusterSnapshot } from "../../../src/core/cluster/snapshot";
import { ClusterModel, clusterRows } from "../../../src/views/cluster/clusterModel";
import type { ClusterRow } from "../../../src/views/cluster/clusterRow";

const gpuNode = (name: string, gpus: number, taints: NodeItem["spec"] = {}): NodeItem => ({
  metadata: { name, labels: { "nvidia.com/gpu.product": "A100" } },
  spec: taints,
  status: {
    capacity: { "nvidia.com/gpu": String(gpus), cpu: "32" },
    allocatable: { "nvidia.com/gpu": String(gpus), cpu: "32" },
    conditions: [{ type: "Ready", status: "True" }],
  },
});

const pod = (
  namespace: string,
  name: string,
  node: string | undefined,
  gpus: number,
  phase = "Running",
  owner = "Job/train",
): PodItem => {
  const [kind, ownerName] = owner.split("/") as [string, string];
  return {
    metadata: {
      namespace,
      name,
      ownerReferences: [
        { apiVersion: "v1", kind, name: ownerName, uid: `uid-${ownerName}`, controller: true },
      ],
    },
    spec: {
      nodeName: node,
      containers: [{ resources: gpus ? { limits: { "nvidia.com/gpu": String(gpus) } } : {} }],
    },
    status: { phase },
  };
};

const parityJob: WorkloadItem = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: {
    name: "train-abc",
    namespace: "team-a",
    uid: "u1",
    labels: { "app.kubernetes.io/managed-by": "parity", "parity.dev/run": "train-20261129-abcd" },
    annotations: { "parity.dev/notebook": "train/train.ipynb" },
  },
  status: { conditions: [{ type: "Complete", status: "True" }], succeeded: 1 },
};
const pytorchJob: WorkloadItem = {
  apiVersion: "kubeflow.org/v1",
  kind: "PyTorchJob",
  metadata: { name: "bert", namespace: "team-a" },
  status: {
    conditions: [
      { type: "Created", status: "True" },
      { type: "Running", status: "True" },
    ],
  },
};

const snapshot = (over: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  contexts: ["kwok", "prod"],
  context: "kwok",
  server: "https://127.0.0.1:6443",
  namespace: "team-a",
  health: { state: "live", lastHeardAt: 1000 },
  namespaces: [{ metadata: { name: "team-a" } }, { metadata: { name: "default" } }],
  pods: [
    pod("team-a", "train-abc-x1", "cpu-1", 0, "Succeeded", "Job/train-abc"),
    pod("team-b", "big-0", "gpu-a100-4", 3, "Running", "PyTorchJob/big"),
    pod("team-a", "small-0", "gpu-a100-4", 1, "Running", "Job/small"),
    pod("team-a", "done-0", "gpu-a100-4", 4, "Succeeded", "Job/done"),
    pod("team-a", "bert-master-0", "gpu-h100-8", 2, "Running", "PyTorchJob/bert"),
  ],
  podsScope: "cluster",
  nodes: [
    gpuNode("gpu-h100-8", 8, { taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }] }),
    gpuNode("gpu-a100-4", 4),
    {
      metadata: { name: "cpu-1" },
      status: { capacity: { cpu: "8" }, conditions: [{ type: "Ready", status: "True" }] },
    },
  ],
  workloads: [parityJob, pytorchJob],
  canSubmit: true,
  canDelete: true,
  ...over,
});

const find = (rows: ClusterRow[], id: string): ClusterRow => {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row ${id} in ${rows.map((candidate) => candidate.id).join(", ")}`);
  return row;
};

describe("the Cluster view's rows", () => {
  it("show the selected context with its health, the others selectable", () => {
    const [context] = clusterRows(snapshot(), 96_000);
    expect(context!.label).toBe("kwok");
    expect(context!.description).toBe("team-a · live");
    expect(context!.children!.map((row) => [row.label, row.command])).toEqual([
      ["kwok", undefined],
      ["prod", "parity.selectClusterContext"],
    ]);
    const stale = clusterRows(snapshot({ health: { state: "stale", lastHeardAt: 1000 } }), 96_000)[0]!;
    expect(stale.description).toBe("team-a · stale 95 s");
    expect(stale.icon.id).toBe("warning");
  });

  it("show only the context row, with the reason, when the cluster is unreachable", () => {
    const rows = clusterRows(snapshot({ health: { state: "unreachable", error: "connection refused" } }), 0);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tooltip).toContain("connection refused");
  });

  it("list namespaces sorted, the selected one marked and the others selectable", () => {
    const namespaces = find(clusterRows(snapshot(), 0), "section/namespaces").children!;
    expect(namespaces.map((row) => [row.label, row.contextValue, row.command])).toEqual([
      ["default", "parity:namespace", "parity.selectClusterNamespace"],
      ["team-a", "parity:namespace+selected", undefined],
    ]);
  });

  it("list Parity's runs with status, notebook, pods and a delete flag only when allowed", () => {
    const runs = find(clusterRows(snapshot(), 0), "section/runs").children!;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.description).toBe("Succeeded · Job · train/train.ipynb");
    expect(runs[0]!.contextValue).toBe("parity:clusterRun+succeeded+Job+parity+canDelete");
    expect(runs[0]!.children!.map((row) => row.label)).toEqual(["train-abc-x1"]);
    expect(runs[0]!.workload).toMatchObject({
      context: "kwok",
      namespace: "team-a",
      kind: "Job",
      name: "train-abc",
      uid: "u1",
    });
    const denied = find(clusterRows(snapshot({ canDelete: false }), 0), "section/runs").children!;
    expect(denied[0]!.contextValue).not.toMatch(/canDelete/);
  });

  it("show a Job whose only pod waits for a node as Pending, not Running, and Running once the pod runs", () => {
    const waiting: WorkloadItem = {
      ...parityJob,
      metadata: { ...parityJob.metadata, name: "train-wait", uid: "u2" },
      // The Job controller counts a pod that waits for a node as active.
      status: { active: 1 },
    };
    const unscheduled = pod("team-a", "train-wait-p1", undefined, 8, "Pending", "Job/train-wait");
    const rows = (pods: PodItem[]) =>
      find(clusterRows(snapshot({ workloads: [waiting], pods }), 0), "section/runs").children!;
    expect(rows([unscheduled])[0]!.description).toMatch(/^Pending · Job/);
    expect(rows([unscheduled])[0]!.contextValue).toContain("+pending+");
    const running = {
      ...unscheduled,
      spec: { ...unscheduled.spec, nodeName: "gpu-h100-8" },
      status: { phase: "Running" },
    };
    expect(rows([running])[0]!.description).toMatch(/^Running · Job/);
    // Pods not listed (a namespace the user may not list pods in): the Job's own counts say Running.
    expect(rows([])[0]!.description).toMatch(/^Running · Job/);
  });

  it("say a section is not allowed, with what to ask for, instead of showing zero", () => {
    const rows = clusterRows(
      snapshot({
        nodes: [],
        workloads: [],
        notAllowed: { gpus: "You may not list nodes: ask a cluster admin for a ClusterRole." },
      }),
      0,
    );
    const gpus = find(rows, "section/gpus");
    expect(gpus.description).toBe("not allowed");
    expect(gpus.children!.map((row) => [row.label, row.description])).toEqual([
      ["Not allowed to list", "You may not list nodes: ask a cluster admin for a ClusterRole."],
    ]);
    expect(find(rows, "section/runs").description).toBe("0");
  });

  it("keep empty sections openable, and leave rows without rows below as leaves", () => {
    const rows = clusterRows(snapshot({ workloads: [], pods: [] }), 0);
    expect(find(rows, "section/runs").children).toEqual([]);
    expect(find(rows, "section/training").children).toEqual([]);
    const runs = find(clusterRows(snapshot({ pods: [] }), 0), "section/runs").children!;
    expect(runs[0]!.children).toBeUndefined();
  });

  it("list training jobs, Parity's or not", () => {
    const training = find(clusterRows(snapshot(), 0), "section/training").children!;
    expect(training.map((row) => [row.label, row.description])).toEqual([["bert", "Running · PyTorchJob"]]);
    expect(training[0]!.children!.map((row) => row.label)).toEqual(["bert-master-0"]);
  });

  it("show GPU nodes with capacity, allocatable, allocated by live pods, taints and who holds them", () => {
    const nodes = find(clusterRows(snapshot(), 0), "section/gpus").children!;
    expect(nodes.map((row) => [row.label, row.description])).toEqual([
      ["gpu-a100-4", "4 allocated of 4 allocatable · 4 capacity"],
      ["gpu-h100-8", "2 allocated of 8 allocatable · 8 capacity · 1 taint"],
    ]);
    expect(nodes[0]!.children!.map((row) => [row.label, row.description])).toEqual([
      ["team-b/big-0", "3 GPUs · PyTorchJob/big"],
      ["team-a/small-0", "1 GPU · Job/small"],
    ]);
    expect(nodes[1]!.children!.map((row) => row.label)).toEqual([
      "nvidia.com/gpu=present:NoSchedule",
      "team-a/bert-master-0",
    ]);
  });

  it("say allocation may be partial when only one namespace's pods could be listed", () => {
    const nodes = find(clusterRows(snapshot({ podsScope: "namespace" }), 0), "section/gpus").children!;
    expect(nodes[0]!.description).toMatch(/^4\+ allocated/);
    expect(nodes[0]!.tooltip).toContain("other namespaces may hold more");
  });

  it("build rows for 5,000 pods in one pass", () => {
    const pods = Array.from({ length: 5000 }, (_, i) =>
      pod("team-a", `p-${i}`, i % 2 ? "gpu-a100-4" : "cpu-1", i % 2, "Running", `Job/train-abc`),
    );
    const started = performance.now();
    const rows = clusterRows(snapshot({ pods }), 0);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(find(rows, "section/runs").children![0]!.children).toHaveLength(5000);
    expect(find(rows, "section/gpus").children![0]!.description).toMatch(/^2500 allocated of 4/);
  });
});

describe("the Cluster view's rows from one snapshot to the next", () => {
  // Informers hand over the same object for a pod that did not change: so do these snapshots.
  const base = snapshot();
  const withPod = (index: number, next: PodItem | undefined): ClusterSnapshot => ({
    ...base,
    pods: base.pods.flatMap((each, at) => (at !== index ? [each] : next ? [next] : [])),
  });
  const ids = (rows: ClusterRow[] | undefined) => rows?.map((row) => row.id);

  it("rebuild only the rows a pod's change touches, each keeping its object", () => {
    const model = new ClusterModel();
    model.update(base, 0);
    const runs = find(model.rows, "section/runs");
    const job = runs.children![0]!;
    const podRow = job.children![0]!;
    const [first] = base.pods as [PodItem];
    const changed = model.update(withPod(0, { ...first, status: { phase: "Failed" } }), 0);
    expect(ids(changed)).toEqual(["run/pod/team-a/train-abc-x1"]);
    expect(changed![0]).toBe(podRow);
    expect(podRow.description).toBe("Failed · cpu-1");
    expect(find(model.rows, "section/runs")).toBe(runs);
    expect(runs.children![0]).toBe(job);
    // The same again, as a new object: nothing to refresh.
    expect(model.update(withPod(0, { ...first, status: { phase: "Failed" } }), 0)).toEqual([]);
    expect(model.update(base, 0)).toEqual([podRow]);
  });

  it("refresh a GPU node's row when a pod holding its GPUs ends, and a workload's row when its pods go", () => {
    const model = new ClusterModel();
    model.update(base, 0);
    const small = base.pods[2]!;
    const ended = withPod(2, { ...small, status: { phase: "Succeeded" } });
    expect(ids(model.update(ended, 0))).toEqual(["gpu-node/gpu-a100-4"]);
    expect(find(find(model.rows, "section/gpus").children!, "gpu-node/gpu-a100-4").description).toMatch(
      /^3 allocated/,
    );
    const gone = model.update({ ...ended, pods: ended.pods.slice(1) }, 0);
    expect(ids(gone)).toEqual(["run/team-a/Job/train-abc"]);
    expect(find(model.rows, "section/runs").children![0]!.children).toBeUndefined();
  });

  it("refresh a section when a workload comes or goes, and everything when the rows at the top change", () => {
    const model = new ClusterModel();
    model.update(base, 0);
    const another: WorkloadItem = {
      ...parityJob,
      metadata: { ...parityJob.metadata, name: "train-def", uid: "u3" },
    };
    const added = model.update({ ...base, workloads: [...base.workloads, another] }, 0);
    expect(ids(added)).toEqual(["section/runs"]);
    expect(find(model.rows, "section/runs").description).toBe("2");
    expect(model.update({ ...base, health: { state: "unreachable", error: "refused" } }, 0)).toBeUndefined();
    expect(ids(model.rows)).toEqual(["section/context"]);
  });

  it("end where rows built afresh from the last snapshot would", () => {
    const model = new ClusterModel();
    let current = base;
    const steps: ((from: ClusterSnapshot) => ClusterSnapshot)[] = [
      (from) => ({
        ...from,
        pods: [...from.pods, pod("team-a", "train-abc-x2", "gpu-a100-4", 0, "Pending", "Job/train-abc")],
      }),
      (from) => ({
        ...from,
        pods: from.pods.map((each, at) => (at === 1 ? { ...each, status: { phase: "Succeeded" } } : each)),
      }),
      (from) => ({ ...from, canDelete: false }),
      (from) => ({
        ...from,
        workloads: [
          { ...parityJob, status: { conditions: [{ type: "Failed", status: "True" }] } },
          pytorchJob,
        ],
      }),
      (from) => ({ ...from, pods: from.pods.slice(1) }),
      // Pods that change while the cluster is unreachable show once it is back.
      (from) => ({
        ...from,
        health: { state: "unreachable", error: "refused" },
        pods: from.pods.map((each) => ({ ...each, status: { phase: "Failed" } })),
      }),
      (from) => ({ ...from, health: base.health }),
    ];
    model.update(current, 0);
    for (const step of steps) {
      current = step(current);
      model.update(current, 0);
      expect(model.rows).toEqual(clusterRows(current, 0));
    }
  });
});

describe("the connection's health", () => {
  it("says how long ago the cluster was last heard from when stale", () => {
    expect(healthWords({ state: "stale", lastHeardAt: 0 }, 95_400)).toBe("stale 95 s");
    expect(healthWords({ state: "reconnecting" }, 0)).toBe("reconnecting");
  });

  it("ages an outage from when the connection was lost, not from the last event", () => {
    // Quiet for a minute before a 28-second outage: 28 s, not 90 s.
    expect(healthWords({ state: "stale", lastHeardAt: 0, lostAt: 62_000 }, 90_000)).toBe("stale 28 s");
    expect(healthWords({ state: "unreachable", lastHeardAt: 0, lostAt: 62_000 }, 90_000)).toBe(
      "unreachable for 28 s",
    );
    expect(healthWords({ state: "unreachable", lostAt: 0 }, 725_000)).toBe("unreachable for 12 min");
    expect(healthWords({ state: "unreachable", error: "no such context" }, 0)).toBe("unreachable");
  });

  it("is redrawn while it shows an age, and only then", () => {
    expect(healthAges({ state: "stale", lastHeardAt: 0 })).toBe(true);
    expect(healthAges({ state: "unreachable", lostAt: 0 })).toBe(true);
    expect(healthAges({ state: "unreachable", error: "no such context" })).toBe(false);
    expect(healthAges({ state: "live", lastHeardAt: 0 })).toBe(false);
    expect(healthAges(undefined)).toBe(false);
  });
});
