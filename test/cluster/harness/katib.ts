import * as grpc from "@grpc/grpc-js";
import { CoreV1Api, CustomObjectsApi, type V1Container, type V1Pod } from "@kubernetes/client-node";
import type { ClusterState } from "./cluster.js";
import { HOLD_LABEL } from "./assets.js";
import { adminConfig, oomKilled, setPodLogs, type ContainerLog } from "./fixtures.js";
import { loadKatibApi, type KatibApi, type MetricLog } from "./katibPlayed.js";

/**
 * What a test plays of a Katib trial under kwok, where no container runs: the training's output
 * (the pod's log), the metrics collector's report to the DB manager, and how the pod ends. The
 * controller, its webhooks (defaulting, validation, the sidecar injection), Suggestions, Trials,
 * Jobs and pods are real; the suggestion service and DB manager are played (katibPlayed.ts).
 *
 *   const drive = driveTrials(cluster, namespace, "tune", (trial) => ({
 *     log: [`accuracy=${score(trial)}`],      // the sidecar collects it, as Katib's StdOut collector
 *   }));
 *   ... await until the Experiment is Succeeded ...
 *   await drive.stop();
 *
 * or step by step: `reportObservation(cluster, { trial, metrics: [{ name: "accuracy", value: 0.9 }] })`,
 * `reportUnavailable(...)`, `setTrialLog(cluster, pod, lines)`, `endTrialPod(cluster, pod, "error")`.
 */

/**
 * The label of a namespace where Katib admits Experiments (its validator refuses them elsewhere)
 * and injects the metrics collector into trial pods; Kubeflow gives it to every profile's
 * namespace. `freshNamespace(config, prefix, katibNamespace)`.
 */
export const katibNamespace = { "katib.kubeflow.org/metrics-collector-injection": "enabled" } as const;

/** The injected metrics-collector sidecar's container (Katib's `metrics-logger-and-collector`). */
export const COLLECTOR_CONTAINER = "metrics-logger-and-collector";
/** What the collector reports for the objective when the training printed none of it. */
export const UNAVAILABLE = "unavailable";
/** The time Katib's collector stamps metrics with when the line has none (Go's zero time). */
export const ZERO_TIME = "0001-01-01T00:00:00Z";
/** A time as Go's time.Parse(time.RFC3339Nano) takes it. */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
/** Katib's default metrics filter (`name=value`), the collector's DefaultFilter. */
export const DEFAULT_FILTER = String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`;

/** A Trial, as much of it as the helpers and tests read. */
export interface KatibTrial {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    parameterAssignments?: { name: string; value: string }[];
    objective?: { objectiveMetricName?: string; additionalMetricNames?: string[] };
    metricsCollector?: {
      collector?: { kind?: string };
      source?: { filter?: { metricsFormat?: string[] } };
    };
    primaryContainerName?: string;
  };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    observation?: { metrics?: { name: string; min: string; max: string; latest: string }[] };
  };
}

/** A metric value as the collector reports it; `timestamp` (RFC 3339) defaults to now. */
export interface ReportedMetric {
  name: string;
  value: string | number;
  timestamp?: string | Date;
}

const katib = { group: "kubeflow.org", version: "v1beta1" } as const;
const apis = new Map<string, KatibApi>();

/** A DBManager client of the played server, for one call. */
function dbManager(cluster: ClusterState): grpc.Client {
  const { grpcPort, apiProto } = cluster.katib ?? {};
  if (!grpcPort || !apiProto) {
    throw new Error("Katib's DB manager is not played here (the cluster project's global setup plays it)");
  }
  let api = apis.get(apiProto);
  if (!api) apis.set(apiProto, (api = loadKatibApi(apiProto)));
  // Loopback, never through a proxy the environment may name.
  return new api.DBManager(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure(), {
    "grpc.enable_http_proxy": 0,
  });
}

/** One unary call of the played DB manager, as Katib's metrics collector makes it. */
function callDbManager<T>(cluster: ClusterState, method: string, request: object): Promise<T> {
  const client = dbManager(cluster);
  const call = (client as unknown as Record<string, grpc.requestCallback<T> | undefined>)[
    method
  ] as unknown as (
    request: object,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: T) => void,
  ) => void;
  return new Promise<T>((resolve, reject) => {
    call.call(client, request, { deadline: Date.now() + 10_000 }, (error, reply) => {
      client.close();
      if (error) reject(new Error(`DBManager/${method}: ${error.message}`));
      else resolve(reply as T);
    });
  });
}

async function readTrial(cluster: ClusterState, namespace: string, name: string): Promise<KatibTrial> {
  return (await adminConfig(cluster)
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ ...katib, namespace, plural: "trials", name })) as KatibTrial;
}

const stampOf = (timestamp: string | Date | undefined) =>
  timestamp === undefined
    ? new Date().toISOString()
    : timestamp instanceof Date
      ? timestamp.toISOString()
      : timestamp;

/**
 * Reports a trial's metrics to the played DB manager with `ReportObservationLog`, exactly as
 * Katib's metrics-collector sidecar does once the training has ended. With `namespace`, the Trial
 * must exist there (a misspelt name fails here, not as a trial that never ends).
 */
export async function reportObservation(
  cluster: ClusterState,
  report: { namespace?: string; trial: string; metrics: ReportedMetric[] },
): Promise<void> {
  if (report.namespace) await readTrial(cluster, report.namespace, report.trial);
  const metric_logs: MetricLog[] = report.metrics.map((metric) => ({
    time_stamp: stampOf(metric.timestamp),
    metric: { name: metric.name, value: String(metric.value) },
  }));
  await callDbManager(cluster, "ReportObservationLog", {
    trial_name: report.trial,
    observation_log: { metric_logs },
  });
}

/**
 * What the collector reports when the training's output has no value of the objective: the
 * objective `unavailable` at Go's zero time. The trial then ends `MetricsUnavailable` (a failed
 * trial for the Experiment). The objective's name is `metric`, else read from the Trial.
 */
export async function reportUnavailable(
  cluster: ClusterState,
  report: { trial: string; namespace?: string; metric?: string },
): Promise<void> {
  let metric = report.metric;
  if (!metric) {
    if (!report.namespace) throw new Error("reportUnavailable: give the objective's metric or the namespace");
    metric = (await readTrial(cluster, report.namespace, report.trial)).spec.objective?.objectiveMetricName;
  }
  if (!metric) throw new Error(`Trial ${report.trial} has no objective metric`);
  await reportObservation(cluster, {
    trial: report.trial,
    metrics: [{ name: metric, value: UNAVAILABLE, timestamp: ZERO_TIME }],
  });
}

/** The played DB manager's observation log of a trial (`GetObservationLog`), oldest first. */
export async function observationLog(
  cluster: ClusterState,
  trial: string,
  metricName = "",
): Promise<{ timestamp: string; name: string; value: string }[]> {
  const reply = await callDbManager<{ observation_log?: { metric_logs?: MetricLog[] } }>(
    cluster,
    "GetObservationLog",
    { trial_name: trial, metric_name: metricName },
  );
  return (reply.observation_log?.metric_logs ?? []).map((log) => ({
    timestamp: log.time_stamp,
    name: log.metric.name,
    value: log.metric.value,
  }));
}

/**
 * The metrics Katib's file collector finds in the training's output (its TEXT format): every
 * `name=value` (or the trial's own filters) of the trial's metrics, stamped with the line's
 * leading RFC 3339 time or else Go's zero time; "unavailable" when the objective (the first name)
 * is not among them.
 */
export function collectMetrics(
  lines: string[],
  metricNames: string[],
  filters: string[] = [],
): ReportedMetric[] | typeof UNAVAILABLE {
  const expressions = (filters.length > 0 ? filters : [DEFAULT_FILTER]).map((f) => new RegExp(f, "g"));
  const found: ReportedMetric[] = [];
  for (const line of lines) {
    if (!metricNames.some((name) => line.includes(name))) continue;
    const first = line.split(" ", 1)[0] ?? "";
    const stamped = line.includes(" ") && RFC3339.test(first);
    for (const expression of expressions) {
      for (const match of line.matchAll(expression)) {
        const name = match[1]?.trim();
        const value = match[2]?.trim();
        if (name && value !== undefined && metricNames.includes(name)) {
          found.push({ name, value, timestamp: stamped ? first : ZERO_TIME });
        }
      }
    }
  }
  return found.some((metric) => metric.name === metricNames[0]) ? found : UNAVAILABLE;
}

/** The Trial's metric names, its objective first, as the collector is given them (`-m`). */
export function metricNamesOf(trial: KatibTrial): string[] {
  const objective = trial.spec.objective;
  return [objective?.objectiveMetricName ?? "", ...(objective?.additionalMetricNames ?? [])].filter(Boolean);
}

/** The file Katib's StdOut collector has the training container write to (its `-path`). */
function collectedFile(pod: V1Pod): string | undefined {
  const collector = pod.spec?.containers.find((c) => c.name === COLLECTOR_CONTAINER);
  const args = collector?.args ?? [];
  const index = args.indexOf("-path");
  return index >= 0 ? args[index + 1] : undefined;
}

const commandLine = (container: V1Container) =>
  [...(container.command ?? []), ...(container.args ?? [])].join(" ");

/**
 * Where a trial pod's training output is on a real cluster. With Katib's StdOut collector the
 * webhook rewrote the training container's command to send its output to a file, which the
 * injected sidecar logs again line by line (klog): the output is in the sidecar's log and the
 * training container's own is empty. Otherwise (File or other collectors, or no injection) it is
 * the training container's log.
 */
export function trialLogContainers(pod: V1Pod): {
  training: string;
  collector?: string;
  redirected: boolean;
} {
  const containers = pod.spec?.containers ?? [];
  const file = collectedFile(pod);
  const redirected = file ? containers.find((c) => commandLine(c).includes(`1>${file}`)) : undefined;
  const training = redirected ?? containers.find((c) => c.name !== COLLECTOR_CONTAINER) ?? containers[0];
  const hasCollector = containers.some((c) => c.name === COLLECTOR_CONTAINER);
  return {
    training: training?.name ?? "",
    ...(hasCollector && { collector: COLLECTOR_CONTAINER }),
    redirected: redirected !== undefined,
  };
}

/** A klog line as the collector writes it (klog's default header: severity, time, pid, source). */
function klogLine(at: Date, source: string, text: string, severity: "I" | "W" = "I"): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const micros = String(at.getUTCMilliseconds() * 1000).padStart(6, "0");
  const date = `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}`;
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}.${micros}`;
  return `${severity}${date} ${time} ${String(14).padStart(7)} ${source}] ${text}`;
}

/** The value of one of the collector's flags (`-m accuracy;loss`), from its container's args. */
function collectorFlag(pod: V1Pod, flag: string): string | undefined {
  const args = pod.spec?.containers.find((c) => c.name === COLLECTOR_CONTAINER)?.args ?? [];
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Go's error for a line's first word that is no RFC 3339 time (time.Parse, RFC3339Nano). */
const notATime = (word: string) =>
  `parsing time ${JSON.stringify(word)} as "2006-01-02T15:04:05.999999999Z07:00": cannot parse ${JSON.stringify(word)} as "2006"`;

/**
 * What the collector logs of its own once the training has ended (TEXT format): a warning for each
 * metric line without a leading time, the objective not found, and the report it sent, the
 * ObservationLog printed as Go prints a proto message (one line; Go adds spaces at random).
 */
function collectorClosingLines(
  at: Date,
  lines: string[],
  names: string[],
  reported: ReportedMetric[] | typeof UNAVAILABLE,
): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (!names.some((name) => line.includes(name))) continue;
    const space = line.indexOf(" ");
    const first = space < 0 ? line : line.slice(0, space);
    if (space < 0) {
      out.push(
        klogLine(
          at,
          "file-metricscollector.go:92",
          `Metrics will not have timestamp since ${line} doesn't begin with timestamp string`,
          "W",
        ),
      );
    } else if (!RFC3339.test(first)) {
      out.push(
        klogLine(
          at,
          "file-metricscollector.go:95",
          `Metrics will not have timestamp since error parsing time ${first}: ${notATime(first)}`,
          "W",
        ),
      );
    }
  }
  const logs =
    reported === UNAVAILABLE
      ? [{ name: names[0] ?? "", value: UNAVAILABLE, timestamp: ZERO_TIME }]
      : reported.map((m) => ({ name: m.name, value: String(m.value), timestamp: stampOf(m.timestamp) }));
  if (reported === UNAVAILABLE) {
    out.push(
      klogLine(
        at,
        "file-metricscollector.go:181",
        `Objective metric ${names[0]} is not found in training logs, ${UNAVAILABLE} value is reported`,
      ),
    );
  }
  out.push(klogLine(at, "main.go:459", "Metrics reported. :"));
  out.push(
    logs
      .map(
        (l) =>
          `metric_logs:{time_stamp:${JSON.stringify(l.timestamp)} metric:{name:${JSON.stringify(l.name)} value:${JSON.stringify(l.value)}}}`,
      )
      .join(" "),
  );
  return out;
}

/**
 * Writes a trial pod's log where a real cluster has it (see `trialLogContainers`). With Katib's
 * StdOut collector: the training container's own log is empty, and the sidecar's (on stderr) has
 * its `Trial Name:` line, each of the training's `lines` logged again (`main.go:143]`, klog's
 * header before it), then its own closing lines (a warning per metric line without a time, the
 * report it sent: `reported`, by default what it finds in `lines` for the metric names and filters
 * in its args; "none" for a collector that never reports). Without that collector, the lines are
 * the training container's log (and the sidecar, if any, has its first line).
 */
export async function setTrialLog(
  cluster: ClusterState,
  pod: V1Pod,
  lines: string[],
  reported?: ReportedMetric[] | typeof UNAVAILABLE | "none",
): Promise<void> {
  const { training, collector, redirected } = trialLogContainers(pod);
  const trial =
    pod.metadata?.labels?.["katib.kubeflow.org/trial"] ?? pod.metadata?.labels?.["job-name"] ?? "";
  const now = new Date();
  const logs: ContainerLog[] = [{ container: training, lines: redirected ? [] : lines }];
  if (collector) {
    const sidecar = [klogLine(now, "main.go:400", `Trial Name: ${trial}`)];
    if (redirected) {
      sidecar.push(...lines.map((line) => klogLine(now, "main.go:143", line)));
      const names = (collectorFlag(pod, "-m") ?? "").split(";").filter(Boolean);
      const filters = (collectorFlag(pod, "-f") ?? "").split(";").filter(Boolean);
      const report = reported ?? collectMetrics(lines, names, filters);
      if (report !== "none" && (collectorFlag(pod, "-format") ?? "TEXT") === "TEXT") {
        sidecar.push(...collectorClosingLines(now, lines, names, report));
      }
    }
    logs.push({ container: collector, lines: sidecar, stream: "stderr" });
  }
  await setPodLogs(cluster, pod.metadata!.namespace!, pod.metadata!.name!, logs);
}

/** How a trial pod ends under kwok: exit 0, exit 1, OOMKilled (137), or not yet (held). */
export type TrialPodFate = "complete" | "error" | "oom" | "hold";

/**
 * Ends a trial pod as `fate` says. kwok completes a Job's pod by itself within a second, so a fate
 * other than "complete" is sure only for a pod held Running by HOLD_LABEL (put it in the trial
 * template's pod labels); "complete" of a held pod removes the label.
 */
export async function endTrialPod(cluster: ClusterState, pod: V1Pod, fate: TrialPodFate): Promise<void> {
  if (fate === "hold") return;
  // A pod that is not held completes by itself: nothing to change.
  if (fate === "complete" && pod.metadata?.labels?.[HOLD_LABEL] === undefined) return;
  const labels = { ...pod.metadata?.labels };
  let annotations = { ...pod.metadata?.annotations };
  delete labels[HOLD_LABEL];
  if (fate !== "complete") {
    Object.assign(labels, oomKilled.labels);
    annotations = {
      ...annotations,
      ...oomKilled.annotations,
      ...(fate === "error" && {
        "pod-container-running-failed.stage.kwok.x-k8s.io/reason": "Error",
        "pod-container-running-failed.stage.kwok.x-k8s.io/exit-code": "1",
        "pod-container-running-failed.stage.kwok.x-k8s.io/message": "",
      }),
    };
  }
  await adminConfig(cluster)
    .makeApiClient(CoreV1Api)
    .patchNamespacedPod({
      name: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      body: [
        { op: "replace", path: "/metadata/labels", value: labels },
        { op: "replace", path: "/metadata/annotations", value: annotations },
      ],
    });
}

/** The Trials of an Experiment (by the label Katib gives them). */
export async function trialsOf(
  cluster: ClusterState,
  namespace: string,
  experiment: string,
): Promise<KatibTrial[]> {
  const list = (await adminConfig(cluster)
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({
      ...katib,
      namespace,
      plural: "trials",
      labelSelector: `katib.kubeflow.org/experiment=${experiment}`,
    })) as { items: KatibTrial[] };
  return list.items;
}

/** The trial a pod belongs to: the webhook's label, else the Job's or the Training Operator's. */
const trialOfPod = (pod: V1Pod) =>
  pod.metadata?.labels?.["katib.kubeflow.org/trial"] ??
  pod.metadata?.labels?.["job-name"] ??
  pod.metadata?.labels?.["training.kubeflow.org/job-name"];

/**
 * What a test plays for one trial: the training's output (`log`, written as `setTrialLog` does);
 * what the collector reports (`metrics`: given values, "unavailable", "none" for a collector that
 * never reports, or by default what it finds in `log`); and how its pods end (`fate`, default
 * "complete"; see `endTrialPod`).
 */
export interface TrialPlay {
  log?: string[];
  metrics?: ReportedMetric[] | typeof UNAVAILABLE | "none";
  fate?: TrialPodFate;
}

/**
 * Plays every trial of `experiment` in `namespace` as it gets its pods, until stopped: `play` says
 * what each trial does (it is asked once per trial, with the Trial and its assignments). Each of
 * the trial's pods gets the log and the fate; the metrics are reported once, before the pods end
 * (as the sidecar reports before its pod completes).
 */
export function driveTrials(
  cluster: ClusterState,
  namespace: string,
  experiment: string,
  play: (trial: KatibTrial) => TrialPlay | Promise<TrialPlay>,
): { stop(): Promise<void>; played: Map<string, TrialPlay>; problems: string[] } {
  const core = adminConfig(cluster).makeApiClient(CoreV1Api);
  const played = new Map<string, TrialPlay>();
  // Each step once (a pass that failed half-way goes on where it stopped).
  const resolved = new Map<string, NonNullable<TrialPlay["metrics"]>>();
  const reported = new Set<string>();
  const logged = new Set<string>();
  const podsDone = new Set<string>();
  const problems: string[] = [];
  let stopped = false;
  const playPod = async (trial: KatibTrial, pod: V1Pod) => {
    const name = trial.metadata.name;
    const podName = pod.metadata!.name!;
    if (!played.has(name)) played.set(name, await play(trial));
    const plan = played.get(name)!;
    if (!resolved.has(name)) {
      const given =
        plan.metrics ??
        (plan.log ? collectMetrics(plan.log, metricNamesOf(trial), filtersOf(trial)) : "none");
      // Times fixed once: the report and the sidecar's log of it say the same.
      resolved.set(
        name,
        Array.isArray(given)
          ? given.map((metric) => ({ ...metric, timestamp: stampOf(metric.timestamp) }))
          : given,
      );
    }
    const metrics = resolved.get(name)!;
    if (!reported.has(name)) {
      if (metrics === UNAVAILABLE) {
        await reportUnavailable(cluster, { trial: name, metric: metricNamesOf(trial)[0]! });
      }
      if (Array.isArray(metrics)) await reportObservation(cluster, { trial: name, metrics });
      reported.add(name);
    }
    if (plan.log && !logged.has(podName)) {
      // A 409: its log was made by a pass whose answer was lost.
      await setTrialLog(cluster, pod, plan.log, metrics).catch(unless(409));
      logged.add(podName);
    }
    // A 404: the pod is gone already (a trial that does not retain its Job, once it ended).
    await endTrialPod(cluster, pod, plan.fate ?? "complete").catch(unless(404));
    podsDone.add(podName);
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        const trials = new Map(
          (await trialsOf(cluster, namespace, experiment)).map((t) => [t.metadata.name, t]),
        );
        const pods = (await core.listNamespacedPod({ namespace })).items;
        for (const pod of pods) {
          const trial = trials.get(trialOfPod(pod) ?? "");
          if (!trial || podsDone.has(pod.metadata!.name!) || !pod.spec?.nodeName) continue;
          // One pod's trouble (a patch racing kwok's) is tried again on the next pass.
          await playPod(trial, pod).catch((error: unknown) => {
            problems.push(error instanceof Error ? error.message : String(error));
          });
        }
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    played,
    problems,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Rethrows an API error unless its HTTP code is `code`. */
const unless = (code: number) => (error: unknown) => {
  if ((error as { code?: number }).code !== code) throw error;
};

const filtersOf = (trial: KatibTrial) => trial.spec.metricsCollector?.source?.filter?.metricsFormat ?? [];

/** The condition of a Katib object (Experiment, Trial, Suggestion) that is True last, e.g. "Succeeded". */
export function conditionOf(object: {
  status?: { conditions?: { type: string; status: string }[] };
}): string {
  return (object.status?.conditions ?? []).filter((c) => c.status === "True").at(-1)?.type ?? "";
}
