import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CustomObjectsApi, type V1Job } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, useCluster } from "../cluster/harness/context";
import { katibNamespace } from "../cluster/harness/katib";
import { copyWorkspace, runCli } from "../integration/helpers/workspace";

// `parity tune --target cluster --dry-run` against the real control plane, which serves Katib
// v0.19.0's CRDs (from its Go module, test/cluster): the Experiment printed is accepted by the API
// server's own validation of Katib's schema (a server-side dry run: nothing is created), and each
// trial's values, put into its parameters as Katib puts them (as text), make JSON the notebook's
// parameters cell reads with the same types as a local trial.
const cluster = useCluster();

interface Experiment {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    parallelTrialCount: number;
    maxTrialCount: number;
    parameters: { name: string }[];
    trialTemplate: {
      primaryContainerName: string;
      trialParameters: { name: string; reference: string }[];
      trialSpec: V1Job;
    };
  };
}

describe("parity tune --target cluster --dry-run", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let namespace = "";
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfigs.admin });

  beforeAll(async () => {
    workspace = await copyWorkspace("test/fixtures/workspaces/tuning");
    // Katib's validator admits Experiments only where its metrics collector is injected.
    namespace = await freshNamespace(admin, "tunedry", katibNamespace);
    const profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
    await writeFile(
      path.join(workspace.dir, "parity.yaml"),
      `${profile}cluster:\n  namespace: ${namespace}\n`,
    );
  });
  afterAll(async () => {
    await workspace?.remove();
  });

  it("prints a Katib Experiment the API server accepts, its trials the cluster run's Job with each value in its parameters", async () => {
    const run = await runCli(
      [
        "tune",
        "train.ipynb",
        "--experiment",
        "random.yaml",
        "--target",
        "cluster",
        "--dry-run",
        "-p",
        "epochs=5",
      ],
      { cwd: workspace.dir, env: env() },
    );
    expect(run.code, [...run.out, ...run.err].join("\n")).toBe(0);
    const experiment = load(run.out.join("\n")) as Experiment;
    expect(experiment).toMatchObject({
      apiVersion: "kubeflow.org/v1beta1",
      kind: "Experiment",
      metadata: { name: "train-random", namespace },
      spec: { parallelTrialCount: 3, maxTrialCount: 6 },
    });
    const template = experiment.spec.trialTemplate;
    expect(template.trialParameters.map((each) => each.name)).toEqual(["lr", "layers", "optimizer"]);
    const container = template.trialSpec.spec!.template.spec!.containers[0]!;
    expect(template.primaryContainerName).toBe(container.name);
    // The profile's limits, as a cluster run has them.
    expect(container.resources?.limits?.memory).toBe("128Mi");
    expect(template.trialSpec.metadata?.name).toBeUndefined();

    // Katib puts each trial's values in as text; the JSON that makes is what the notebook reads.
    const parameters = container.env!.find((each) => each.name === "PARITY_PARAMETERS")!.value!;
    const trial = parameters
      .replace("${trialParameters.lr}", "0.0321")
      .replace("${trialParameters.layers}", "3")
      .replace("${trialParameters.optimizer}", "adam");
    expect(JSON.parse(trial)).toEqual({ epochs: 5, lr: 0.0321, layers: 3, optimizer: "adam" });

    // The API server validates it against Katib's CRD schema; a dry run creates nothing.
    const api = admin.makeApiClient(CustomObjectsApi);
    const accepted = await api.createNamespacedCustomObject({
      group: "kubeflow.org",
      version: "v1beta1",
      namespace,
      plural: "experiments",
      body: experiment,
      dryRun: "All",
    });
    expect((accepted as Experiment).metadata.name).toBe("train-random");
    const listed = (await api.listNamespacedCustomObject({
      group: "kubeflow.org",
      version: "v1beta1",
      namespace,
      plural: "experiments",
    })) as { items: unknown[] };
    expect(listed.items).toHaveLength(0);
  });
});
