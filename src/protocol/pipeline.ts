import type { RunStatus } from "../core/job/types";
import type { StepStatus } from "../core/pipeline/types";
import { validate, type Validators } from "./messaging";

/** What a click on a step's node opens: its run's logs, or its run's diagnosis. */
export type StepView = "logs" | "diagnosis";

/** One step of a pipeline run, as its node in the run graph shows it. Every field is text, never markup. */
export interface RunGraphNodeView {
  name: string;
  status: StepStatus;
  /** "Succeeded", "Not run"... */
  statusLabel: string;
  /** Why it failed or did not run, what it reused, how long it took: "load did not succeed". */
  detail?: string;
  /** While running, the page counts the elapsed time from here. */
  startedAt?: string;
  /** What a click opens; undefined when the step has no run yet (pending, not run). */
  opens?: StepView;
}

/** An edge of the DAG: `to` runs after `from`. */
export interface RunGraphEdgeView {
  from: string;
  to: string;
}

export interface RunGraphViewState {
  /** The pipeline's file name: "numbers.ipynb". */
  pipelineName: string;
  runId: string;
  status: RunStatus;
  /** "Running", "Succeeded"... */
  statusLabel: string;
  /** "2 succeeded, 1 running, 1 pending" */
  summary: string;
  nodes: RunGraphNodeView[];
  edges: RunGraphEdgeView[];
  /** The run is still going: the record will change. */
  live: boolean;
  /** Something the page should say above the graph (edges unknown, record not written yet). */
  note?: string;
  error?: string;
}

export type RunGraphToWebview = {
  state: RunGraphViewState;
};

export type RunGraphFromWebview = {
  ready: Record<string, never>;
  /** Open the logs or the diagnosis of the step's run. */
  openStep: { name: string; view: StepView };
};

/** The longest step name the host accepts back from the page (a DNS-1123 label is 63). */
const MAX_STEP_NAME = 256;

export const runGraphFromWebview: Validators<RunGraphFromWebview> = {
  ready: validate.none,
  openStep: (payload) => {
    const object = validate.object(payload);
    const name = validate.string(object?.name, MAX_STEP_NAME);
    const view = object?.view;
    return name !== undefined && (view === "logs" || view === "diagnosis") ? { name, view } : undefined;
  },
};

/** "4 s", "1 min 05 s": how long a running step has been going, as its node shows it. */
export function elapsedWords(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
