import path from "node:path";
import { workspaceOfRunDir, type StoredRun } from "../../app/store";
import type { RunResult, TargetName } from "../../core/job/types";
import {
  ENDPOINT_STATE_LABELS,
  endpointState,
  trafficWords,
  type EndpointState,
} from "../../core/presentation/endpointStatus";
import { placeSentence, placeWords } from "../../core/presentation/targets";
import type { TrafficShare } from "../../core/serving/types";
import { workloadOf } from "../../core/workload/types";
import type { PresentedRow } from "../treeItem";

/** An endpoint's row: its newest record under its name, or a deployment of this window still building. */
export interface EndpointNode {
  kind: "endpoint";
  /** The model's name (the endpoint's); the notebook's file name while it builds. */
  name: string;
  notebookFile: string;
  target: TargetName;
  state: EndpointState;
  /** The endpoint's run id, or the window's key of a deployment still building. */
  runId: string;
  /** The record's folder, <workspaceDir>/.parity/runs/<runId>; absent while building. */
  dir?: string;
  record?: RunResult;
  /** The notebook's folder, where the name alone does not tell two endpoints apart. */
  folder?: string;
}

/** One revision's share of a cluster endpoint's traffic, under the endpoint's row. */
export interface TrafficNode {
  kind: "traffic";
  endpoint: EndpointNode;
  share: TrafficShare;
}

export type EndpointsTreeNode = EndpointNode | TrafficNode;

/** A deployment of this window that has no record yet (its serving image is building). */
export interface BuildingEndpoint {
  key: string;
  notebookFile: string;
  target: TargetName;
}

/**
 * The Endpoints view's rows: each endpoint (a workspace's model name on a target) once, by its
 * newest record, whose end says whether it still serves; then the deployments still building.
 * `runs` newest first, as the store lists them.
 */
export function endpointNodes(
  runs: readonly StoredRun[],
  building: readonly BuildingEndpoint[],
  relativeFolder: (folder: string) => string,
): EndpointNode[] {
  const newest = new Map<string, EndpointNode>();
  for (const run of runs) {
    const { result } = run;
    const endpoint = result.endpoint;
    if (workloadOf(result).kind !== "endpoint" || !endpoint) continue;
    const key = [workspaceOfRunDir(run.dir), result.target, endpoint.name].join("\0");
    if (newest.has(key)) continue;
    newest.set(key, {
      kind: "endpoint",
      name: endpoint.name,
      notebookFile: result.notebook,
      target: result.target,
      state: endpointState(result.status),
      runId: result.runId,
      dir: run.dir,
      record: result,
    });
  }
  const nodes: EndpointNode[] = [
    ...newest.values(),
    ...building.map((deploying): EndpointNode => ({
      kind: "endpoint",
      name: path.basename(deploying.notebookFile),
      notebookFile: deploying.notebookFile,
      target: deploying.target,
      state: "building",
      runId: deploying.key,
    })),
  ];
  const named = new Map<string, number>();
  for (const node of nodes) named.set(node.name, (named.get(node.name) ?? 0) + 1);
  return nodes.map((node) =>
    (named.get(node.name) ?? 0) > 1
      ? { ...node, folder: relativeFolder(path.dirname(node.notebookFile)) }
      : node,
  );
}

/** The shares of a cluster endpoint's traffic, as KServe reports them or was asked for. */
export function trafficNodes(endpoint: EndpointNode): TrafficNode[] {
  return (endpoint.record?.endpoint?.cluster?.traffic ?? []).map((share) => ({
    kind: "traffic",
    endpoint,
    share,
  }));
}

const ICONS: Record<EndpointState, PresentedRow["icon"]> = {
  building: { id: "loading~spin" },
  loading: { id: "loading~spin" },
  serving: { id: "radio-tower", color: "testing.iconPassed" },
  stopped: { id: "circle-slash" },
  failed: { id: "error", color: "testing.iconFailed" },
  lost: { id: "question", color: "problemsWarningIcon.foreground" },
};

/**
 * "iris  Serving · http://127.0.0.1:49153 · model.joblib"; on a cluster, its namespace and KServe's
 * deployment mode too. The context value says what its menu offers: `+live` (Stop), `+url` (Copy
 * URL), `+recorded` (its panel and logs).
 */
export function presentEndpoint(node: EndpointNode): PresentedRow {
  const endpoint = node.record?.endpoint;
  const cluster = endpoint?.cluster;
  const label = ENDPOINT_STATE_LABELS[node.state];
  const live = node.state === "building" || node.state === "loading" || node.state === "serving";
  const place = node.record ? placeWords(node.record) : node.target;
  const parts = [
    label,
    ...(endpoint?.url && node.state !== "stopped" ? [endpoint.url] : []),
    ...(endpoint ? [path.basename(endpoint.modelFile)] : []),
    ...(node.target === "local" ? [] : [place]),
    ...(cluster ? [`${cluster.mode} mode`] : []),
    ...(node.folder ? [node.folder] : []),
  ];
  const problem = node.record?.diagnosis.find((item) => item.severity !== "info");
  const tooltip = [
    `${node.name}: ${label.toLowerCase()}`,
    ...(endpoint
      ? [
          `Model ${endpoint.modelFile} (${endpoint.modelFormat})${endpoint.fromRun ? `, from run ${endpoint.fromRun}` : ""}`,
          `Serving image ${endpoint.servingImage} (KServe ${endpoint.kserveVersion})`,
          ...(endpoint.url ? [`URL ${endpoint.url}`] : []),
          ...(cluster?.internalUrl ? [`In the cluster ${cluster.internalUrl}`] : []),
          ...(cluster ? [`KServe ${cluster.mode} mode (read from the ${cluster.modeSource})`] : []),
        ]
      : [`The serving image of ${path.basename(node.notebookFile)} is being built.`]),
    `On ${node.record ? placeSentence(node.record) : placeSentence({ target: node.target })}`,
    ...(node.record ? [`Run ${node.runId}`] : []),
    ...(problem ? [`${problem.message} Fix: ${problem.fix}`] : []),
  ].join("\n");
  const flags = [
    ...(live ? ["live"] : []),
    ...(endpoint?.url && live ? ["url"] : []),
    ...(node.record ? ["recorded"] : []),
  ];
  return {
    label: node.name,
    description: parts.join(" · "),
    tooltip,
    contextValue: `parity:endpoint+${node.state}+${node.target}${flags.map((flag) => `+${flag}`).join("")}`,
    icon: ICONS[node.state],
  };
}

/** "m-2b9c41d0  20 % · canary · asked for, not routed by KServe" */
export function presentTraffic(node: TrafficNode): PresentedRow {
  const { share } = node;
  const tooltip = [
    `${share.revision}: ${share.percent} % of ${node.endpoint.name}'s traffic${share.tag ? ` (${share.tag})` : ""}`,
    share.applied
      ? "KServe routes this share of the endpoint's URL to it."
      : "KServe records this share but does not route it: every request to the endpoint's URL goes elsewhere.",
    ...(share.url ? [`Answers at ${share.url}`] : []),
  ].join("\n");
  return {
    label: share.revision,
    description: trafficWords(share),
    tooltip,
    contextValue: `parity:endpointTraffic+${share.applied ? "applied" : "notApplied"}`,
    icon: share.applied ? { id: "arrow-right" } : { id: "warning", color: "problemsWarningIcon.foreground" },
  };
}

export function isEndpointNode(value: unknown): value is EndpointNode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Partial<EndpointNode>).kind === "endpoint" &&
    typeof (value as Partial<EndpointNode>).runId === "string"
  );
}
