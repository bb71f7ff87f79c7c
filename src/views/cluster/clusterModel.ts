import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../core/manifests/labels";
import type { NodeItem, WorkloadItem } from "../../core/cluster/objects";
import type { ClusterSection, ClusterSnapshot } from "../../core/cluster/snapshot";
import type { ClusterRow } from "./clusterRow";
import { gpuNodeRows } from "./gpuRows";
import { PodGroups, type PodChanges } from "./podGroups";
import { reconcileRow, reconcileRows } from "./reconcileRows";
import { contextRow, namespaceRows } from "./selectionRows";
import { workloadRef, workloadRow } from "./workloadRows";

const TRAINING_KINDS = new Set(["PyTorchJob", "TFJob"]);

/** The rows of one snapshot, built afresh. */
export function clusterRows(snapshot: ClusterSnapshot, now: number): ClusterRow[] {
  const model = new ClusterModel();
  model.update(snapshot, now);
  return model.rows;
}

/** A workload's row as last built, and what it was built from: the informer's objects, compared by identity. */
interface BuiltWorkload {
  row: ClusterRow;
  metadata: WorkloadItem["metadata"];
  status: WorkloadItem["status"];
  kind?: string;
  apiVersion?: string;
}

/**
 * The Cluster view's rows (context, namespaces, Parity runs, training jobs, GPU nodes), kept from
 * one snapshot to the next. A pod's change rebuilds the rows of its workload (and the GPU nodes'
 * when it holds GPUs) and no other; each row keeps its object, and update() says which rows
 * changed, so that the view refreshes only those.
 */
export class ClusterModel {
  /** The rows at the top of the view. */
  rows: ClusterRow[] = [];
  private readonly pods = new PodGroups();
  private workloads = new Map<string, BuiltWorkload>();
  /** What every workload row depends on besides its own objects. */
  private workloadScope = "";
  private nodes: readonly NodeItem[] = [];
  private gpuRows: ClusterRow[] = [];
  private gpuScope = "";

  /**
   * Brings the rows up to `snapshot`. Returns the rows that changed (their fields, or which rows
   * are below them), or undefined when the rows at the top did.
   */
  update(snapshot: ClusterSnapshot, now: number): ClusterRow[] | undefined {
    const changed = new Set<ClusterRow>();
    const podChanges = this.pods.update(snapshot.pods);
    const shown = new Map(this.rows.map((row) => [row.id, row]));
    const rows = this.build(snapshot, now, podChanges, changed).map((row) =>
      reconcileRow(shown.get(row.id), row, changed),
    );
    const sameTop = rows.length === this.rows.length && rows.every((row, index) => row === this.rows[index]);
    this.rows = rows;
    return sameTop ? [...changed] : undefined;
  }

  private build(
    snapshot: ClusterSnapshot,
    now: number,
    podChanges: PodChanges,
    changed: Set<ClusterRow>,
  ): ClusterRow[] {
    const context = contextRow(snapshot, now);
    if (!snapshot.context || snapshot.health.state === "unreachable") {
      // This snapshot's pod changes build no rows: the next snapshot with rows builds them afresh.
      this.workloadScope = "";
      this.gpuScope = "";
      return [context];
    }
    const listed = (id: ClusterSection, rows: ClusterRow[]) => {
      const refusal = snapshot.notAllowed?.[id];
      return refusal
        ? { description: "not allowed", children: [notAllowedRow(id, refusal)] }
        : { description: `${rows.length}`, children: rows };
    };
    const { runs, training } = this.workloadRows(snapshot, podChanges, changed);
    const runRows = listed("runs", runs);
    const trainingRows = listed("training", training);
    const gpus = listed("gpus", this.gpuNodeRows(snapshot, podChanges, changed));
    return [
      context,
      section("namespaces", "Namespaces", snapshot.namespace, namespaceRows(snapshot), "symbol-namespace"),
      section("runs", "Parity runs", runRows.description, runRows.children, "beaker", true),
      section("training", "Training jobs", trainingRows.description, trainingRows.children, "type-hierarchy"),
      section("gpus", "GPU nodes", gpus.description, gpus.children, "circuit-board", true),
    ];
  }

  /** Parity's runs and the training jobs: a row is built again only when its workload, its pods or the scope changed. */
  private workloadRows(
    snapshot: ClusterSnapshot,
    podChanges: PodChanges,
    changed: Set<ClusterRow>,
  ): { runs: ClusterRow[]; training: ClusterRow[] } {
    const scope = JSON.stringify([snapshot.context, snapshot.server, snapshot.namespace, snapshot.canDelete]);
    const built = scope === this.workloadScope ? this.workloads : new Map<string, BuiltWorkload>();
    this.workloadScope = scope;
    this.workloads = new Map();
    const rowOf = (workload: WorkloadItem, section: string): ClusterRow => {
      const { kind, apiVersion, metadata, status } = workload;
      const ref = workloadRef(snapshot, workload);
      const id = `${section}/${ref.namespace}/${ref.kind}/${ref.name}`;
      const previous = built.get(id);
      const unchanged =
        previous &&
        previous.metadata === metadata &&
        previous.status === status &&
        previous.kind === kind &&
        previous.apiVersion === apiVersion &&
        !ref.groups.some((group) => podChanges.groups.has(group));
      const row = unchanged
        ? previous.row
        : reconcileRow(previous?.row, workloadRow(snapshot, workload, this.pods, section), changed);
      this.workloads.set(id, { row, metadata, status, kind, apiVersion });
      return row;
    };
    return {
      runs: snapshot.workloads
        .filter((workload) => workload.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
        .map((workload) => rowOf(workload, "run")),
      training: snapshot.workloads
        .filter((workload) => TRAINING_KINDS.has(workload.kind ?? ""))
        .map((workload) => rowOf(workload, "training")),
    };
  }

  /** Built again only when a node, a pod holding GPUs or the pods' scope changed. */
  private gpuNodeRows(
    snapshot: ClusterSnapshot,
    podChanges: PodChanges,
    changed: Set<ClusterRow>,
  ): ClusterRow[] {
    const partial = snapshot.podsScope === "namespace";
    const scope = JSON.stringify([snapshot.context, snapshot.server, partial]);
    const sameNodes =
      snapshot.nodes.length === this.nodes.length &&
      snapshot.nodes.every((node, index) => node === this.nodes[index]);
    if (!sameNodes || podChanges.gpus || scope !== this.gpuScope) {
      this.gpuRows = reconcileRows(
        this.gpuRows,
        gpuNodeRows(snapshot.nodes, snapshot.pods, partial),
        changed,
      );
      this.nodes = snapshot.nodes;
      this.gpuScope = scope;
    }
    return this.gpuRows;
  }
}

/** In place of a section's rows: the user may not list them, and what to ask for. */
function notAllowedRow(section: ClusterSection, sentence: string): ClusterRow {
  return {
    id: `section/${section}/not-allowed`,
    label: "Not allowed to list",
    description: sentence,
    tooltip: sentence,
    contextValue: "parity:notAllowed",
    icon: { id: "lock" },
  };
}

function section(
  id: string,
  label: string,
  description: string | undefined,
  children: ClusterRow[],
  icon: string,
  expanded = false,
): ClusterRow {
  return {
    id: `section/${id}`,
    label,
    description,
    tooltip: `${label}: ${description ?? children.length}`,
    contextValue: `parity:section+${id}`,
    icon: { id: icon },
    children,
    expanded,
  };
}
