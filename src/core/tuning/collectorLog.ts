/** The container Katib's webhook adds beside a trial's, which logs again what the trial prints. */
export const COLLECTOR_CONTAINER = "metrics-logger-and-collector";

/**
 * What Katib's collector logs of its own among the trial's lines it logs again: its first line,
 * and its report of what it collected. Its warnings (W) and lines without klog's header (the
 * report's body) are its own too.
 */
const COLLECTOR_OWN = [
  /^Trial Name: \S+$/,
  /^Metrics reported\. :/,
  /^Objective metric \S+ is not found in training logs/,
];
const KLOG_HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\] /;

/**
 * A line of a trial pod's container as the trial's log keeps it, or undefined when it is not the
 * trial's. The trial's own container: every line as it is. Katib's collector (which takes the
 * trial's output when it redirects it to a file): only the lines it logs again, klog's Info lines,
 * their header taken off, less its own first line and report.
 */
export function trialLogLine(container: string, text: string): string | undefined {
  if (container !== COLLECTOR_CONTAINER) return text;
  if (!text.startsWith("I") || !KLOG_HEADER.test(text)) return undefined;
  const body = text.replace(KLOG_HEADER, "");
  return COLLECTOR_OWN.some((own) => own.test(body)) ? undefined : body;
}
