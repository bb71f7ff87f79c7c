import path from "node:path";

/** The profile's key that may hold the experiment. */
export const TUNING_FIELD = "tuning";

/** The files next to a notebook that hold its experiment, the first found winning. */
export function experimentFilesFor(notebookFile: string): string[] {
  const dir = path.dirname(notebookFile);
  const stem = path.basename(notebookFile).replace(/\.(ipynb|py)$/i, "");
  return [`${stem}.experiment.yaml`, `${stem}.experiment.yml`, "experiment.yaml", "experiment.yml"].map(
    (name) => path.join(dir, name),
  );
}

/**
 * Whether a parity.yaml's text has a top-level `tuning:` key, without parsing it: enough to say
 * that a notebook has an experiment (reading it, `parity tune` checks it).
 */
export function hasTuningField(profileText: string): boolean {
  return new RegExp(`^${TUNING_FIELD}\\s*:`, "m").test(profileText);
}
