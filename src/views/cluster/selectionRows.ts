import { healthWords, type ClusterSnapshot } from "../../core/cluster/snapshot";
import { healthIcon } from "./clusterHealth";
import type { ClusterRow } from "./clusterRow";

/** The selected context (the others listed, a click selects one) with the connection's health. */
export function contextRow(snapshot: ClusterSnapshot, now: number): ClusterRow {
  const health = healthWords(snapshot.health, now);
  const others = snapshot.contexts.map((name) => ({
    id: `context/${name}`,
    label: name,
    description: name === snapshot.context ? "selected" : undefined,
    tooltip:
      name === snapshot.context
        ? `${name} is the selected context.`
        : `Click to use the context ${name} in this workspace (the kubeconfig is not changed).`,
    contextValue: `parity:context${name === snapshot.context ? "+selected" : ""}`,
    icon: name === snapshot.context ? { id: "check" } : { id: "circle-outline" },
    command: name === snapshot.context ? undefined : "parity.selectClusterContext",
    choice: name,
  }));
  return {
    id: "section/context",
    label:
      snapshot.context ?? (snapshot.health.state === "connecting" ? "Reading the kubeconfig" : "No context"),
    // Without a context the reason is the row's whole point: shown, not only in the tooltip.
    description: snapshot.context ? `${snapshot.namespace ?? ""} · ${health}` : snapshot.health.error,
    tooltip: [
      snapshot.context
        ? `Context ${snapshot.context}${snapshot.server ? ` (${snapshot.server})` : ""}, namespace ${snapshot.namespace ?? "default"}`
        : "No kubeconfig context is selected.",
      `Connection: ${health}.`,
      ...(snapshot.health.error ? [snapshot.health.error] : []),
    ].join("\n"),
    contextValue: "parity:section+context",
    icon: healthIcon(snapshot.health),
    children: others,
  };
}

export function namespaceRows(snapshot: ClusterSnapshot): ClusterRow[] {
  return snapshot.namespaces
    .map((namespace) => namespace.metadata?.name ?? "")
    .filter((name) => name !== "")
    .sort()
    .map((name) => {
      const selected = name === snapshot.namespace;
      return {
        id: `namespace/${name}`,
        label: name,
        description: selected ? "selected" : undefined,
        tooltip: selected
          ? `${name} is the selected namespace.`
          : `Click to use the namespace ${name} in this workspace.`,
        contextValue: `parity:namespace${selected ? "+selected" : ""}`,
        icon: selected ? { id: "check" } : { id: "symbol-namespace" },
        command: selected ? undefined : "parity.selectClusterNamespace",
        choice: name,
      };
    });
}
