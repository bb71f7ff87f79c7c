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
  /^Training container is early stopped/,
  /^Trial status is successfully updated/,
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

/** As much of a trial's pod as says which of its containers hold the trial's output. */
export interface TrialPodSpec {
  spec?: { containers: { name: string; command?: string[]; args?: string[] }[] };
}

/**
 * Which containers of a trial's pod hold what the trial prints. Katib's StdOut collector has the
 * webhook send the training container's output to a file (its `-path`), which the collector logs
 * again: then both are read (the training container's own log is empty). With a File collector the
 * collector logs the trial's metrics file, not what it prints: only the training container is read.
 */
export function trialContainers(pod: TrialPodSpec | undefined): {
  main?: string;
  collectorLogsOutput: boolean;
} {
  const containers = pod?.spec?.containers ?? [];
  const args = containers.find((container) => container.name === COLLECTOR_CONTAINER)?.args ?? [];
  const at = args.indexOf("-path");
  const file = at >= 0 ? args[at + 1] : undefined;
  const commandLine = (container: (typeof containers)[number]) =>
    [...(container.command ?? []), ...(container.args ?? [])].join(" ");
  const redirected = file
    ? containers.find((container) => commandLine(container).includes(`1>${file}`))
    : undefined;
  const main = redirected ?? containers.find((container) => container.name !== COLLECTOR_CONTAINER);
  return { ...(main && { main: main.name }), collectorLogsOutput: redirected !== undefined };
}
