import type { Severity } from "../core/parity/types";

export type { Severity };
import { validate, type Validators } from "./messaging";

/** One fact of the side-by-side comparison: "torch" 2.3.0 here, 2.3.1+cu121 in production. */
export interface ComparisonRow {
  label: string;
  local: string;
  production: string;
  /** Where production's value was read: "probed image", "parity.yaml", "requirements.txt". */
  source: string;
  /** Whether the two sides were compared (both known, and comparable). */
  checked: boolean;
  differs: boolean;
}

export interface ComparisonSection {
  title: string;
  rows: ComparisonRow[];
  /** Shown folded (long lists of things that match). */
  folded?: boolean;
}

export interface ReportItemView {
  code: string;
  severity: Severity;
  message: string;
  fix: string;
  subject?: string;
  /** "requirements.txt:4", when the item points at a file. */
  location?: string;
  /** The apply action's label, when the fix is an edit the editor can make. */
  applyTitle?: string;
}

export interface ReportViewState {
  /** The notebook's file name, for the heading. */
  notebookName: string;
  profileName?: string;
  imageTag?: string;
  /** "Matches production", "2 errors, 1 warning · requirements only". */
  summary: string;
  /** The sentence under the summary: what was found, and whether everything was compared. */
  verdict: string;
  /** What was compared and what could not be: "Compared: ...", "Not compared: ...". */
  basis: string[];
  counts: { errors: number; warnings: number; infos: number };
  localSource?: string;
  productionSource?: string;
  sections: ComparisonSection[];
  items: ReportItemView[];
  /** Work in progress, as a sentence ("Checking parity again..."). */
  busy?: string;
  /** The last failure, as a sentence that says what to do. */
  error?: string;
}

export type ReportToWebview = {
  state: ReportViewState;
  /** The answer to an applyFix request. */
  applied: { requestId: number; ok: boolean; message: string };
};

export type ReportFromWebview = {
  ready: Record<string, never>;
  /** Apply the fix of report item `index` (as the last state listed them). */
  applyFix: { requestId: number; index: number };
  /** Open the file the item points at. */
  openLocation: { index: number };
  /** Compute the report again. */
  refresh: Record<string, never>;
};

export const reportFromWebview: Validators<ReportFromWebview> = {
  ready: validate.none,
  refresh: validate.none,
  applyFix: (payload) => {
    const object = validate.object(payload);
    const requestId = validate.index(object?.requestId);
    const index = validate.index(object?.index);
    return requestId === undefined || index === undefined ? undefined : { requestId, index };
  },
  openLocation: (payload) => {
    const index = validate.index(validate.object(payload)?.index);
    return index === undefined ? undefined : { index };
  },
};

/** What a report panel needs to come back after a window reload. */
export interface ReportRestoreState {
  notebookFile: string;
}
