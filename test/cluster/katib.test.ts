import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";
import {
  COLLECTOR_CONTAINER,
  conditionOf,
  driveTrials,
  katibNamespace,
  observationLog,
  reportObservation,
  trialsOf,
  type KatibTrial,
} from "./harness/katib.js";

// Katib v0.19.0's real katib-controller in the test control plane: its webhooks default and
// validate Experiments and inject the metrics collector into trial pods, its reconcilers make the
// Suggestions, Trials and Jobs; the suggestion service and the DB manager are played (the cluster
// project's global setup), and the test plays each trial's training output and collector.
const cluster = useCluster();
const config = kubeConfig(cluster.kubeconfigs.admin);
const core = config.makeApiClient(CoreV1Api);
const custom = config.makeApiClient(CustomObjectsApi);
const katib = { group: "kubeflow.org", version: "v1beta1" } as const;
let namespace = "";

interface Experiment {
  metadata: { name: string };
  spec: {
    resumePolicy?: string;
    metricsCollectorSpec?: { collector?: { kind?: string } };
    trialTemplate: { successCondition?: string; retain?: boolean };
  };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    trials?: number;
    trialsSucceeded?: number;
    trialsRunning?: number;
    trialsPending?: number;
    trialMetricsUnavailable?: number;
    currentOptimalTrial?: {
      bestTrialName?: string;
      parameterAssignments?: { name: string; value: string }[];
      observation?: { metrics?: { name: string; latest: string; min: string; max: string }[] };
    };
  };
}

/** An Experiment of Job trials, as a user would write it (the webhook defaults the rest). */
function experiment(name: string, spec: Record<string, unknown> = {}): object {
  return {
    apiVersion: "kubeflow.org/v1beta1",
    kind: "Experiment",
    metadata: { name },
    spec: {
      objective: {
        type: "maximize",
        goal: 0.99,
        objectiveMetricName: "accuracy",
        additionalMetricNames: ["loss"],
      },
      algorithm: { algorithmName: "random" },
      parallelTrialCount: 2,
      maxTrialCount: 3,
      maxFailedTrialCount: 1,
      parameters: [
        { name: "lr", parameterType: "double", feasibleSpace: { min: "0.01", max: "0.05" } },
        { name: "optimizer", parameterType: "categorical", feasibleSpace: { list: ["sgd", "adam"] } },
      ],
      trialTemplate: {
        primaryContainerName: "training-container",
        // Keep each trial's Job and pod (and so its log) once the trial ends.
        retain: true,
        trialParameters: [
          { name: "learningRate", reference: "lr" },
          { name: "optimizer", reference: "optimizer" },
        ],
        trialSpec: {
          apiVersion: "batch/v1",
          kind: "Job",
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: "Never",
                containers: [
                  {
                    name: "training-container",
                    image: "registry.example/parity/train:1",
                    command: [
                      "python",
                      "train.py",
                      "--lr=${trialParameters.learningRate}",
                      "--optimizer=${trialParameters.optimizer}",
                    ],
                  },
                ],
              },
            },
          },
        },
      },
      ...spec,
    },
  };
}

const readExperiment = async (name: string) =>
  (await custom.getNamespacedCustomObject({
    ...katib,
    namespace,
    plural: "experiments",
    name,
  })) as Experiment;

/**
 * The Experiment once it has ended (Succeeded or Failed), with the most trials it had running or
 * pending at once on the way.
 */
async function ended(name: string, timeoutMs = 90_000): Promise<Experiment & { mostAtOnce: number }> {
  let mostAtOnce = 0;
  const done = await until(
    `Experiment ${name} ended`,
    async () => {
      const current = await readExperiment(name);
      const status = current.status;
      mostAtOnce = Math.max(mostAtOnce, (status?.trialsRunning ?? 0) + (status?.trialsPending ?? 0));
      return ["Succeeded", "Failed"].includes(conditionOf(current)) ? current : undefined;
    },
    timeoutMs,
  );
  return { ...done, mostAtOnce };
}

const assignment = (trial: KatibTrial, name: string) =>
  trial.spec.parameterAssignments?.find((a) => a.name === name)?.value ?? "";

/** The accuracy the played training reaches with a trial's values (below the goal, 0.99). */
const accuracyOf = (trial: KatibTrial) =>
  Number(
    (
      0.5 +
      5 * Number(assignment(trial, "lr")) +
      (assignment(trial, "optimizer") === "adam" ? 0.12 : 0)
    ).toFixed(4),
  );

beforeAll(async () => {
  // A namespace where Katib admits Experiments and injects the metrics collector into trial pods.
  namespace = await freshNamespace(config, "katib", katibNamespace);
});

afterAll(async () => {
  // Trials carry Katib's finalizer (it calls the DB manager): the namespace goes while both are up.
  if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe("Katib's controller with its suggestion service and DB manager played", () => {
  it("runs an Experiment of 3 trials, 2 at a time, to Succeeded with the best reported trial as its optimal one", async () => {
    await custom.createNamespacedCustomObject({
      ...katib,
      namespace,
      plural: "experiments",
      body: experiment("tune"),
    });
    // Katib's mutating webhook defaulted what the user left out.
    const stored = await readExperiment("tune");
    expect(stored.spec.resumePolicy).toBe("Never");
    expect(stored.spec.metricsCollectorSpec?.collector?.kind).toBe("StdOut");
    expect(stored.spec.trialTemplate.successCondition).toContain("Complete");

    // Each trial's training prints its metrics; the sidecar would collect and report them: the
    // driver reports what Katib's StdOut collector finds in these lines (reportObservation).
    const drive = driveTrials(cluster, namespace, "tune", (trial) => ({
      log: [
        `training with lr=${assignment(trial, "lr")} and ${assignment(trial, "optimizer")}`,
        "epoch 1",
        `accuracy=${(accuracyOf(trial) - 0.1).toFixed(4)} loss=0.9`,
        "epoch 2",
        `accuracy=${accuracyOf(trial)} loss=0.4`,
      ],
    }));
    const done = await ended("tune").finally(() => drive.stop());
    expect(drive.problems).toEqual([]);

    const succeeded = done.status?.conditions?.find((c) => c.type === "Succeeded");
    expect(succeeded).toMatchObject({ status: "True", reason: "ExperimentMaxTrialsReached" });
    expect(done.status).toMatchObject({ trials: 3, trialsSucceeded: 3 });
    expect(done.mostAtOnce).toBe(2);

    const trials = await trialsOf(cluster, namespace, "tune");
    expect(trials).toHaveLength(3);
    for (const trial of trials) {
      // The played suggestion service's values, within each parameter's feasible space.
      const lr = Number(assignment(trial, "lr"));
      expect(lr).toBeGreaterThanOrEqual(0.01);
      expect(lr).toBeLessThanOrEqual(0.05);
      expect(["sgd", "adam"]).toContain(assignment(trial, "optimizer"));
      expect(conditionOf(trial)).toBe("Succeeded");
      // The trial's observation: Katib's min/max/latest of what was reported, per metric.
      const accuracy = String(accuracyOf(trial));
      expect(trial.status?.observation?.metrics).toEqual(
        expect.arrayContaining([
          { name: "accuracy", latest: accuracy, max: accuracy, min: (accuracyOf(trial) - 0.1).toFixed(4) },
          { name: "loss", latest: "0.4", max: "0.9", min: "0.4" },
        ]),
      );
      // What the played DB manager holds, as the controller read it.
      expect((await observationLog(cluster, trial.metadata.name, "accuracy")).map((l) => l.value)).toEqual([
        (accuracyOf(trial) - 0.1).toFixed(4),
        accuracy,
      ]);
    }
    const values = new Set(trials.map((t) => `${assignment(t, "lr")}/${assignment(t, "optimizer")}`));
    expect(values.size).toBe(3);
    const best = [...trials].sort((a, b) => accuracyOf(b) - accuracyOf(a))[0]!;
    expect(done.status?.currentOptimalTrial?.bestTrialName).toBe(best.metadata.name);
    expect(done.status?.currentOptimalTrial?.observation?.metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "accuracy", latest: String(accuracyOf(best)) }),
      ]),
    );

    // A trial's pod as Katib's webhook admitted it: the collector sidecar beside the training
    // container, whose output it logs again (klog); the training container's own log is empty.
    const pods = (
      await core.listNamespacedPod({
        namespace,
        labelSelector: `katib.kubeflow.org/trial=${best.metadata.name}`,
      })
    ).items;
    expect(pods).toHaveLength(1);
    const pod = pods[0]!;
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(["training-container", COLLECTOR_CONTAINER]);
    const training = pod.spec!.containers[0]!;
    expect([...(training.command ?? []), ...(training.args ?? [])].join(" ")).toContain(
      "train.py --lr=" +
        assignment(best, "lr") +
        " --optimizer=" +
        assignment(best, "optimizer") +
        " 1>/var/log/katib/metrics.log 2>&1",
    );
    const sidecarLog = await core.readNamespacedPodLog({
      name: pod.metadata!.name!,
      namespace,
      container: COLLECTOR_CONTAINER,
    });
    // Its own lines around the training's: the trial's name first, the report it sent last.
    const klog = (severity: string, source: string) => `^${severity}\\d{4} [\\d:.]+ +\\d+ ${source}\\] `;
    const sidecar = sidecarLog.trimEnd().split("\n");
    expect(sidecar[0]).toMatch(new RegExp(`${klog("I", "main\\.go:400")}Trial Name: ${best.metadata.name}$`));
    expect(sidecar).toContainEqual(
      expect.stringMatching(
        new RegExp(`${klog("I", "main\\.go:143")}accuracy=${accuracyOf(best)} loss=0\\.4$`),
      ),
    );
    expect(sidecar).toContainEqual(
      expect.stringMatching(
        new RegExp(`${klog("W", "file-metricscollector\\.go:95")}Metrics will not have timestamp`),
      ),
    );
    expect(sidecar.at(-2)).toMatch(new RegExp(`${klog("I", "main\\.go:459")}Metrics reported\\. :$`));
    expect(sidecar.at(-1)).toContain(
      `metric_logs:{time_stamp:"0001-01-01T00:00:00Z" metric:{name:"accuracy" value:"${accuracyOf(best)}"}}`,
    );
    const trainingLog = await core.readNamespacedPodLog({
      name: pod.metadata!.name!,
      namespace,
      container: "training-container",
    });
    expect(trainingLog).toBe("");
  });

  it("ends a trial whose collector found no objective MetricsUnavailable, a failed trial for the Experiment", async () => {
    await custom.createNamespacedCustomObject({
      ...katib,
      namespace,
      plural: "experiments",
      body: experiment("silent", { parallelTrialCount: 1, maxTrialCount: 2 }),
    });
    const drive = driveTrials(cluster, namespace, "silent", () => ({
      log: ["Traceback: the training printed no metric"],
    }));
    const done = await ended("silent").finally(() => drive.stop());
    expect(drive.problems).toEqual([]);
    const [trial] = await trialsOf(cluster, namespace, "silent");
    expect(conditionOf(trial!)).toBe("MetricsUnavailable");
    expect(await observationLog(cluster, trial!.metadata.name)).toEqual([
      { timestamp: "0001-01-01T00:00:00Z", name: "accuracy", value: "unavailable" },
    ]);
    expect(done.status?.trialMetricsUnavailable).toBe(1);
    const [pod] = (
      await core.listNamespacedPod({
        namespace,
        labelSelector: `katib.kubeflow.org/trial=${trial!.metadata.name}`,
      })
    ).items;
    const sidecarLog = await core.readNamespacedPodLog({
      name: pod!.metadata!.name!,
      namespace,
      container: COLLECTOR_CONTAINER,
    });
    expect(sidecarLog).toContain(
      "Objective metric accuracy is not found in training logs, unavailable value is reported",
    );
    expect(done.status?.conditions?.find((c) => c.type === "Failed")).toMatchObject({
      status: "True",
      reason: "ExperimentFailed",
    });
  });

  it("refuses an Experiment with an unknown algorithm in the words of Katib's validating webhook", async () => {
    const refused = await custom
      .createNamespacedCustomObject({
        ...katib,
        namespace,
        plural: "experiments",
        body: experiment("unknown", { algorithm: { algorithmName: "no-such-algorithm" } }),
      })
      .then(
        () => undefined,
        (error: { code?: number; body?: string }) => error,
      );
    expect(refused?.code).toBe(400);
    expect((JSON.parse(refused?.body ?? "{}") as { message?: string }).message).toBe(
      'admission webhook "validator.experiment.katib.kubeflow.org" denied the request: ' +
        'spec.algorithm.algorithmName: Invalid value: "no-such-algorithm": unable to get Suggestion config data ' +
        "for algorithm no-such-algorithm: failed to find suggestion config for algorithm: no-such-algorithm " +
        "in ConfigMap: katib-config",
    );
  });

  it("deletes a deleted trial's observation log through Katib's finalizer on it", async () => {
    const trials = await trialsOf(cluster, namespace, "tune");
    expect(trials.length).toBeGreaterThan(0);
    expect(await observationLog(cluster, trials[0]!.metadata.name)).not.toEqual([]);
    // A report for a trial that does not exist in the namespace is refused by the helper.
    await expect(
      reportObservation(cluster, {
        namespace,
        trial: "no-such-trial",
        metrics: [{ name: "accuracy", value: 1 }],
      }),
    ).rejects.toThrow();
    await custom.deleteCollectionNamespacedCustomObject({
      ...katib,
      namespace,
      plural: "trials",
      labelSelector: "katib.kubeflow.org/experiment=tune",
    });
    await until("the trials of tune gone", async () =>
      (await trialsOf(cluster, namespace, "tune")).length === 0 ? true : undefined,
    );
    for (const trial of trials) expect(await observationLog(cluster, trial.metadata.name)).toEqual([]);
  });
});
