import { html, nothing, render, svg } from "lit";
import { styleMap } from "lit/directives/style-map.js";
import {
  elapsedWords,
  type RunGraphFromWebview,
  type RunGraphNodeView,
  type RunGraphToWebview,
  type RunGraphViewState,
  type StepView,
} from "../../../src/protocol/pipeline";
import "../lib/base.css";
import "../lib/pipeline/pipeline.css";
import "../lib/elements";
import { connectToHost } from "../lib/host";
import { edgePath, layoutGraph, type GraphLayout, type PlacedNode } from "../lib/pipeline/layout";

/** The layout of the last nodes and edges drawn: laid out again only when the graph's shape changes. */
let laidOut: { shape: string; layout: GraphLayout } | undefined;
/** Ticks once a second while a step runs, so its elapsed time moves; stopped otherwise. */
let ticker: ReturnType<typeof setInterval> | undefined;

const host = connectToHost<RunGraphToWebview, RunGraphFromWebview, undefined, RunGraphViewState>({
  state: (next) => {
    state = next;
    host.saveView(next);
    draw();
  },
});
let state = host.lastView;

function draw(): void {
  render(view(state), document.getElementById("app")!);
  const running = state?.live && state.nodes.some((node) => node.status === "running");
  if (running && !ticker) ticker = setInterval(draw, 1000);
  if (!running && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

function layoutOf(graph: RunGraphViewState): GraphLayout {
  const shape = JSON.stringify([graph.nodes.map((node) => node.name), graph.edges]);
  if (laidOut?.shape !== shape) {
    laidOut = {
      shape,
      layout: layoutGraph(
        graph.nodes.map((node) => ({ id: node.name })),
        graph.edges,
      ),
    };
  }
  return laidOut.layout;
}

function view(graph: RunGraphViewState | undefined) {
  if (!graph) return html`<p class="muted">Reading the run's record...</p>`;
  const layout = layoutOf(graph);
  const placed = new Map(layout.nodes.map((node) => [node.id, node]));
  return html`
    <h1>Pipeline: ${graph.pipelineName}</h1>
    <p>
      <span data-testid="run-status" data-status=${graph.status} class="status status-${graph.status}"
        >${graph.statusLabel}</span
      >
      <span class="muted" data-testid="run-summary">${graph.summary}</span>
      ${graph.live ? html`<vscode-progress-ring class="inline-ring"></vscode-progress-ring>` : nothing}
    </p>
    <p class="muted mono">${graph.runId}</p>
    ${graph.error ? html`<div class="error-banner" role="alert">${graph.error}</div>` : nothing}
    ${graph.note ? html`<p class="muted" data-testid="graph-note">${graph.note}</p>` : nothing}
    <div
      class="graph"
      data-testid="run-graph"
      style=${styleMap({ width: `${layout.width}px`, height: `${layout.height}px` })}
    >
      <svg class="edges" width=${layout.width} height=${layout.height} aria-hidden="true">
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z"></path>
          </marker>
        </defs>
        ${layout.edges.map(
          (edge) =>
            svg`<path class="edge" data-from=${edge.from} data-to=${edge.to} d=${edgePath(edge.points)} marker-end="url(#arrow)"></path>`,
        )}
      </svg>
      ${graph.nodes.map((node) => nodeView(node, placed.get(node.name)))}
    </div>
  `;
}

/** A step's node: its name, its state and one line of why; every field is text, never markup. */
function nodeView(node: RunGraphNodeView, place: PlacedNode | undefined) {
  if (!place) return nothing;
  const status =
    node.status === "running" && node.startedAt
      ? `${node.statusLabel} · ${elapsedWords(Date.now() - Date.parse(node.startedAt))}`
      : node.statusLabel;
  const opens = node.opens;
  const open = (view: StepView | undefined) => {
    if (view) host.send("openStep", { name: node.name, view });
  };
  const title = [node.name, status, node.detail, opens ? `Click to open its ${opens}.` : undefined]
    .filter(Boolean)
    .join("\n");
  return html`<div
    class="node node-${node.status}${opens ? " openable" : ""}"
    data-testid="graph-node"
    data-step=${node.name}
    data-status=${node.status}
    role=${opens ? "button" : "group"}
    tabindex=${opens ? "0" : "-1"}
    title=${title}
    aria-label=${`${node.name}: ${status}${node.detail ? `, ${node.detail}` : ""}`}
    style=${styleMap({ left: `${place.x}px`, top: `${place.y}px`, width: `${place.width}px`, height: `${place.height}px` })}
    @click=${() => open(opens)}
    @keydown=${(event: KeyboardEvent) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open(opens);
      }
    }}
  >
    <div class="node-name">${node.name}</div>
    <div class="node-status" data-testid="node-status"><span class="dot"></span>${status}</div>
    ${node.detail ? html`<div class="node-detail" data-testid="node-detail">${node.detail}</div>` : nothing}
    ${
      opens === "diagnosis"
        ? html`<a
            class="node-logs"
            data-testid="node-logs"
            @click=${(event: Event) => {
              event.stopPropagation();
              open("logs");
            }}
            >logs</a
          >`
        : nothing
    }
  </div>`;
}

draw();
