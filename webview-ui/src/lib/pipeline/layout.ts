import dagre from "@dagrejs/dagre";

/** Every node is drawn the same size: the name and two short lines fit; longer text is cut with an ellipsis. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

export interface Point {
  x: number;
  y: number;
}

/** A node where dagre put it: `x` and `y` are its top-left corner. */
export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: Point[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/**
 * Lays a DAG out top to bottom with dagre (what the KFP and Argo UIs use): each step below the
 * steps it runs after, crossings kept few. An edge naming a node that is not there is left out
 * (dagre would invent the node).
 */
export function layoutGraph(
  nodes: readonly { id: string }[],
  edges: readonly { from: string; to: string }[],
): GraphLayout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 32, ranksep: 48, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const kept = edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to) && edge.from !== edge.to);
  for (const edge of kept) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  const label = graph.graph();
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes: nodes.map((node) => {
      const placed = graph.node(node.id);
      return {
        id: node.id,
        x: (placed.x ?? 0) - NODE_WIDTH / 2,
        y: (placed.y ?? 0) - NODE_HEIGHT / 2,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      };
    }),
    edges: kept.map((edge) => ({ ...edge, points: graph.edge(edge.from, edge.to)?.points ?? [] })),
  };
}

/** An SVG path through an edge's points: straight segments, which dagre already routes around nodes. */
export function edgePath(points: readonly Point[]): string {
  return points
    .map((point, index) => `${index === 0 ? "M" : "L"} ${round(point.x)} ${round(point.y)}`)
    .join(" ");
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
