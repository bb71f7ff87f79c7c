import type { Severity } from "../core/diagnosis/types";
import type { RunStatus } from "../core/job/types";
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
}

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
};

export const diagnosisFromWebview: Validators<DiagnosisFromWebview> = {
  ready: validate.none,
  openLocation: (payload) => {
    const index = validate.index(validate.object(payload)?.index);
    return index === undefined ? undefined : { index };
  },
};
