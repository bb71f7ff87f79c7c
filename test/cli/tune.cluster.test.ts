import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentJson } from "../../src/core/tuning/json";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { driveTrials, katibNamespace, setTrialLog, type KatibTrial } from "../cluster/harness/katib";
import { logLinesIn, recordIn } from "../integration/helpers/pipelineRuns";
import { copyWorkspace, lastJson, repoRoot, runCli } from "../integration/helpers/workspace";
import { startRegistry } from "../registry/harness/registry";

// `parity tune --target cluster`: the fixture notebook built here by the real Docker engine, pushed
// to a real registry on loopback, submitted as a Katib Experiment to the real control plane, where
// Katib v0.19.0's own controller (built from its Go module, with its real webhooks: defaulting,
// validation, the metrics collector's injection) makes the Suggestion, the Trials and their Jobs.
// kwok stands in for the kubelet and no container runs, so the test plays what would run: each
// trial's output (the accuracy train.ipynb prints for its parameters) in its pod's log, and the
// metrics collector's report of it to Katib's DB manager; the suggestion service and the DB
// manager are played by the harness (test/cluster/harness/katib.ts).
const cluster = useCluster();

const EXPERIMENT = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: train-cluster
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
    additionalMetricNames: [loss]
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 3
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.05"
    - name: optimizer
      parameterType: categorical
      feasibleSpace:
        list: ["sgd", "adam"]
`;

/** What train.ipynb prints for a trial's parameters (layers at its default, 1). */
function outputOf(trial: { parameters?: Record<string, string> } | KatibTrial): string[] {
  const values =
    "spec" in trial
      ? Object.fromEntries((trial.spec.parameterAssignments ?? []).map(({ name, value }) => [name, value]))
      : (trial.parameters ?? {});
  return [1, 2, 3].map((epoch) => {
    const accuracy = accuracyOf(values, epoch);
    return `epoch ${epoch}: accuracy=${accuracy} loss=${Number((1 - accuracy).toFixed(6))}`;
  });
}

function accuracyOf(values: Record<string, string>, epoch = 3): number {
  const lr = Number(values.lr);
  const penalty = values.optimizer === "adam" ? 0 : 0.02;
  return Number((0.95 - 40 * (lr - 0.03) ** 2 - 0.05 * 2 - penalty - 0.1 / epoch).toFixed(6));
}

describe("parity tune --target cluster", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let profile = "";
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfigs.admin });
  const experiments = (namespace: string) =>
    admin
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({
        group: "kubeflow.org",
        version: "v1beta1",
        namespace,
        plural: "experiments",
      })
      .then((list) => (list as { items: { metadata: { name: string } }[] }).items);

  /** The workspace's profile pointed at `namespace`, pushing to the loopback registry. */
  const placeIn = async (namespace: string) => {
    const file = path.join(workspace.dir, "parity.yaml");
    await writeFile(
      file,
      `${profile.replace('  python: "3.11"\n', `  python: "3.11"\n  registry: ${registry.host}/team\n`)}cluster:\n  namespace: ${namespace}\n  protected: false\n`,
    );
  };

  beforeAll(async () => {
    registry = await startRegistry();
    workspace = await copyWorkspace("test/fixtures/workspaces/tuning");
    profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
    await writeFile(path.join(workspace.dir, "cluster.yaml"), EXPERIMENT);
  });
  afterAll(async () => {
    await workspace?.remove();
    await registry?.stop();
  });

  it("runs the experiment as a Katib Experiment: each trial's values reach its Job, Katib's observations and best trial come back, each trial a run with its log", async () => {
    const namespace = await freshNamespace(admin, "tune", katibNamespace);
    await placeIn(namespace);
    const running = runCli(
      ["tune", "train.ipynb", "--experiment", "cluster.yaml", "--target", "cluster", "--json"],
      {
        cwd: workspace.dir,
        env: env(),
      },
    );
    const name = await until(
      "the Experiment",
      async () => (await experiments(namespace))[0]?.metadata.name,
      300_000,
    );
    expect(name).toMatch(/^train-cluster-[0-9a-f]{4}$/);
    const drive = driveTrials(cluster, namespace, name, (trial) => ({ log: outputOf(trial) }));
    const run = await running;
    await drive.stop();
    expect(run.code, [...run.out, ...run.err, ...drive.problems].join("\n")).toBe(0);
    const result = lastJson<ExperimentJson>(run);
    expect(result).toMatchObject({ status: "succeeded", reason: "ExperimentMaxTrialsReached" });
    expect(result.trials).toHaveLength(3);
    for (const trial of result.trials) {
      expect(trial.status).toBe("succeeded");
      // The values Katib gave the trial, and the objective Katib observed from its collector.
      expect(Number(trial.parameters.lr)).toBeGreaterThanOrEqual(0.01);
      expect(trial.objective).toBeCloseTo(accuracyOf(trial.parameters), 5);
      // Each trial is a cluster job run of its own, with what its pod printed.
      const child = await recordIn(workspace.dir, trial.runId!);
      expect(child).toMatchObject({
        parent: result.experimentId,
        trial: trial.name,
        target: "cluster",
        status: "succeeded",
      });
      expect(await logLinesIn(workspace.dir, trial.runId!)).toEqual(outputOf(trial));
    }
    const best = result.trials.reduce((a, b) => (b.objective! > a.objective! ? b : a));
    expect(result.best).toMatchObject({ trial: best.name, objective: best.objective });
    const record = await recordIn(workspace.dir, result.experimentId);
    expect(record).toMatchObject({ kind: "experiment", target: "cluster", status: "succeeded" });
    expect(record.cluster).toMatchObject({ kind: "Experiment", namespace, name });

    // Katib runs it, not Parity: --resume refuses it, and says how to follow it.
    const resumed = await runCli(["tune", "train.ipynb", "--resume", result.experimentId], {
      cwd: workspace.dir,
      env: env(),
    });
    expect(resumed.code).toBe(1);
    expect([...resumed.out, ...resumed.err].join("\n")).toContain(
      `runs on the cluster as Experiment ${namespace}/${name}`,
    );

    // The trials' Job got the values in its parameters: what the notebook reads.
    const trials = (await admin
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group: "batch", version: "v1", namespace, plural: "jobs" })) as {
      items: {
        metadata: { name: string };
        spec: {
          template: {
            spec: {
              containers: {
                env?: { name: string; value?: string }[];
                resources?: { limits?: Record<string, string> };
              }[];
            };
          };
        };
      }[];
    };
    for (const job of trials.items) {
      const main = job.spec.template.spec.containers.find((each) =>
        each.env?.some((v) => v.name === "PARITY_PARAMETERS"),
      )!;
      const parameters = JSON.parse(main.env!.find((v) => v.name === "PARITY_PARAMETERS")!.value!);
      const trial = result.trials.find((each) => each.name === job.metadata.name)!;
      expect(parameters).toEqual({ lr: Number(trial.parameters.lr), optimizer: trial.parameters.optimizer });
      expect(main.resources?.limits?.memory).toBe("128Mi");
    }
  }, 600_000);

  it("followed again after its parity tune was killed: the trials that ended meanwhile are recorded as they ended, each log whole and once", async () => {
    const namespace = await freshNamespace(admin, "tunekill", katibNamespace);
    await placeIn(namespace);
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin", "parity.js"),
        "tune",
        "train.ipynb",
        "--experiment",
        "cluster.yaml",
        "--target",
        "cluster",
      ],
      { cwd: workspace.dir, env: env(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    // Killed once a trial's own run is recorded (its pod seen), before any trial is played.
    const [experimentId, trial] = await until(
      "a trial's run recorded",
      async () => {
        const id = /\(experiment (\S+)\)/.exec(out)?.[1];
        const record = id ? await recordIn(workspace.dir, id).catch(() => undefined) : undefined;
        const first = record?.children?.[0];
        return id && first && (await recordIn(workspace.dir, first).catch(() => undefined))
          ? [id, first]
          : undefined;
      },
      300_000,
    );
    child.kill("SIGKILL");
    await exited;
    expect((await recordIn(workspace.dir, trial)).finishedAt).toBeUndefined();
    const name = (await experiments(namespace))[0]!.metadata.name;
    // With no Parity following it, Katib runs the experiment to its end.
    const drive = driveTrials(cluster, namespace, name, (each) => ({ log: outputOf(each) }));
    await until(
      "the Experiment's end",
      async () => {
        const [experiment] = (await experiments(namespace)) as {
          status?: { conditions?: { type: string; status: string }[] };
        }[];
        return experiment?.status?.conditions?.some((c) => c.type === "Succeeded" && c.status === "True")
          ? true
          : undefined;
      },
      300_000,
    );
    await drive.stop();
    const followed = await runCli(["logs", experimentId, "--follow"], { cwd: workspace.dir, env: env() });
    expect(followed.code, [...followed.out, ...followed.err, ...drive.problems].join("\n")).toBe(0);
    const record = await recordIn(workspace.dir, experimentId);
    expect(record.status).toBe("succeeded");
    expect(record.experiment!.trials).toHaveLength(3);
    for (const each of record.experiment!.trials) {
      expect(each.status).toBe("succeeded");
      const run = await recordIn(workspace.dir, each.name);
      expect(run).toMatchObject({ status: "succeeded", parent: experimentId });
      const parameters = Object.fromEntries(each.parameters.map(({ name, value }) => [name, String(value)]));
      expect(await logLinesIn(workspace.dir, each.name)).toEqual(outputOf({ parameters }));
    }
  }, 600_000);

  it("the doctor refuses a namespace where Katib injects no metrics collector, before anything is built", async () => {
    const namespace = await freshNamespace(admin, "tunebare");
    await placeIn(namespace);
    const run = await runCli(["tune", "train.ipynb", "--experiment", "cluster.yaml", "--target", "cluster"], {
      cwd: workspace.dir,
      env: env(),
    });
    expect(run.code).toBe(1);
    const said = [...run.out, ...run.err].join("\n");
    expect(said).toContain("katib.kubeflow.org/metrics-collector-injection=enabled");
    expect(said).not.toContain("Building");
    expect(await experiments(namespace)).toHaveLength(0);
  });

  it("a running trial's log is in its run as it prints; Ctrl-C deletes the Experiment and records the experiment and the trial cancelled", async () => {
    const namespace = await freshNamespace(admin, "tunecancel", katibNamespace);
    await placeIn(namespace);
    const abort = new AbortController();
    const running = runCli(
      ["tune", "train.ipynb", "--experiment", "cluster.yaml", "--target", "cluster", "--json"],
      { cwd: workspace.dir, env: env(), signal: abort.signal },
    );
    // Its trials' metrics are never reported: they stay running until the Experiment is deleted.
    const pod = await until(
      "a trial's pod",
      async () =>
        (await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items.find(
          (each) => each.metadata?.labels?.["job-name"],
        ),
      300_000,
    );
    const trial = pod.metadata!.labels!["job-name"]!;
    const printed = ["epoch 1: accuracy=0.61 loss=0.39", "epoch 2: accuracy=0.72 loss=0.28"];
    await setTrialLog(cluster, pod, printed, "none");
    // Through Katib's collector, as the trial prints it: in the trial's run before the trial ends.
    await until(
      "the trial's lines in its run",
      async () => ((await logLinesIn(workspace.dir, trial).catch(() => [])).length === 2 ? true : undefined),
      60_000,
    );
    expect(await logLinesIn(workspace.dir, trial)).toEqual(printed);
    expect((await recordIn(workspace.dir, trial)).status).toMatch(/^(pending|running)$/);
    abort.abort();
    const run = await running;
    expect(run.code, [...run.out, ...run.err].join("\n")).toBe(130);
    const result = lastJson<ExperimentJson>(run);
    expect(result.status).toBe("cancelled");
    const record = await recordIn(workspace.dir, trial);
    expect(record).toMatchObject({ status: "cancelled", parent: result.experimentId, trial });
    expect(record.finishedAt).toBeDefined();
    expect(await logLinesIn(workspace.dir, trial)).toEqual(printed);
    await until(
      "the Experiment deleted",
      async () => ((await experiments(namespace)).length === 0 ? true : undefined),
      60_000,
    );
  }, 600_000);
});
