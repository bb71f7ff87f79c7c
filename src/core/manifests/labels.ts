/** The labels and annotation on everything Parity creates, so runs can be found and told apart. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "parity";
export const RUN_LABEL = "parity.dev/run";
export const PROFILE_LABEL = "parity.dev/profile";
export const NOTEBOOK_ANNOTATION = "parity.dev/notebook";
/** On a namespace: confirm before anything in it is deleted or replaced. */
export const PROTECTED_NAMESPACE_LABEL = "parity.dev/protected";

const LABEL_VALUE_MAX = 63;

/**
 * A valid label value (≤ 63 characters, alphanumeric at both ends). A long run id keeps its end,
 * where its time stamp and random suffix make it unique.
 */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, "-");
  return cleaned.slice(-LABEL_VALUE_MAX).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

export function parityLabels(profileName: string, runId?: string): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    ...(runId === undefined ? {} : { [RUN_LABEL]: labelValue(runId) }),
    [PROFILE_LABEL]: labelValue(profileName),
  };
}

export function parityAnnotations(notebook: string): Record<string, string> {
  return { [NOTEBOOK_ANNOTATION]: notebook };
}

/** The label selector of one run's objects and pods. */
export function runSelector(runId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${RUN_LABEL}=${labelValue(runId)}`;
}
