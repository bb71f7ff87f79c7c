import type { Severity } from "../core/diagnosis/types";
import type { RunStatus, TimelineEntry } from "../core/job/types";
import { validate, type Validators } from "./messaging";

export interface OutcomeFact {
  label: string;
  value: string;
}

export interface DiagnosisItemView {
  code: string;
  severity: Severity;
  message: string;
  fix: string;
  /** "train.ipynb, cell 3, line 2" */
  location?: string;
  /** The location can be opened in the editor. */
  openable: boolean;
  /** Lines the fix asks for in parity.yaml, with their indentation: shown as a block, never flattened. */
  snippet?: string;
  /** The snippet is also a change Parity can make to parity.yaml (Add to parity.yaml). */
  applicable?: boolean;
}

/** One line of a cluster run's timeline, as recorded; the page shows it as text, never as HTML. */
export type TimelineRowView = TimelineEntry;

export interface DiagnosisViewState {
  notebookName: string;
  runId: string;
  status: RunStatus;
  /** "Failed", "Running"... */
  statusLabel: string;
  /** The outcome in one sentence: "OOMKilled at the 128 MiB memory limit." */
  headline: string;
  facts: OutcomeFact[];
  items: DiagnosisItemView[];
  /** A cluster run's events, oldest first; absent for local runs. */
  timeline?: TimelineRowView[];
  live: boolean;
  error?: string;
}

export type DiagnosisToWebview = {
  state: DiagnosisViewState;
};

export type DiagnosisFromWebview = {
  ready: Record<string, never>;
  /** Open the notebook (or script) at the location of diagnosis item `index`. */
  openLocation: { index: number };
  /** Copy item `index`'s parity.yaml lines to the clipboard. */
  copySnippet: { index: number };
  /** Make item `index`'s change to parity.yaml, as one edit Undo reverts. */
  applySnippet: { index: number };
};

const itemIndex = (payload: unknown): { index: number } | undefined => {
  const index = validate.index(validate.object(payload)?.index);
  return index === undefined ? undefined : { index };
};

export const diagnosisFromWebview: Validators<DiagnosisFromWebview> = {
  ready: validate.none,
  openLocation: itemIndex,
  copySnippet: itemIndex,
  applySnippet: itemIndex,
};

/** Longest text a timeline field may carry: an event message is at most about 1 KiB; more is not an event. */
const MAX_TIMELINE_TEXT = 4096;
/** A run's timeline is capped by its recorder; more rows than this are not shown. */
export const MAX_TIMELINE_ROWS = 2000;

/**
 * A run's recorded timeline (run.json, written by any process that could write the workspace) as
 * rows the page may show: entries with the wrong shape are dropped, never passed on. Used by the
 * host before sending and by the page before drawing.
 */
export function timelineRows(value: unknown): TimelineRowView[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const rows: TimelineRowView[] = [];
  for (const entry of value.slice(-MAX_TIMELINE_ROWS)) {
    const row = timelineRow(entry);
    if (row) rows.push(row);
  }
  return rows;
}

function timelineRow(value: unknown): TimelineRowView | undefined {
  const entry = validate.object(value);
  if (!entry) return undefined;
  const time = validate.string(entry.time, 64);
  const object = validate.string(entry.object, MAX_TIMELINE_TEXT);
  const reason = validate.string(entry.reason, MAX_TIMELINE_TEXT);
  const message = validate.string(entry.message, MAX_TIMELINE_TEXT);
  const type = entry.type === "Warning" || entry.type === "Normal" ? entry.type : undefined;
  if (
    time === undefined ||
    Number.isNaN(Date.parse(time)) ||
    !object ||
    !reason ||
    message === undefined ||
    !type
  )
    return undefined;
  const count = validate.index(entry.count);
  return { time, object, type, reason, message, ...(count !== undefined && count > 1 ? { count } : {}) };
}
