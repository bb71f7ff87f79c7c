import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { setPodLog } from "../cluster/harness/fixtures";
import { inferenceServices, readInferenceService } from "../cluster/harness/kserve";
import { recordIn, said } from "../integration/helpers/pipelineRuns";
import { copyWorkspace, lastJson, runCli } from "../integration/helpers/workspace";
import { startRegistry } from "../registry/harness/registry";

// `parity deploy --target cluster`: the model the fixture notebook trains (a scikit-learn
// LogisticRegression saved with joblib, test/fixtures/workspaces/serving) built into its serving
// image by the real Docker engine (the run's image with kserve 0.20.0 from PyPI), pushed to a real
// registry on loopback, deployed as an InferenceService to the real control plane, where KServe
// v0.20.0's own controller (built from its Go module, with its real webhooks) makes the
// predictor's Deployment and Service in Standard mode and reports the conditions, the URL and the
// canary. kwok stands in for the kubelet: no container runs, so nothing answers at the URL.
const cluster = useCluster();
const TIMEOUT = 900_000;

interface DeployJson {
  name: string;
  runId: string;
  status: string;
  namespace: string;
  url: string | null;
  internalUrl: string | null;
  mode: string;
  action: string;
  notes: string[];
  traffic: { revision: string; percent: number; applied: boolean; url?: string; tag?: string }[];
  conditions: { type: string; status: string }[];
  image: string;
  diagnosis: { code: string; message: string }[];
}

describe("parity deploy --target cluster", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let namespace = "";
  const createdNamespaces: string[] = [];
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfigs.admin });
  const cli = (args: string[]) => runCli(args, { cwd: workspace.dir, env: env() });
  const deploy = async (args: string[]) => {
    const run = await cli(["deploy", "train.ipynb", "--target", "cluster", "--json", ...args]);
    return { run, json: lastJson<DeployJson>(run) };
  };
  const deployment = (name: string) =>
    admin
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name, namespace })
      .catch(() => undefined);
  /** Trains the notebook with its regularisation C: another C is another model, so another revision. */
  const train = async (c: string) => {
    const run = await cli(["run", "train.ipynb", "--no-report", "-p", `C=${c}`, "--json"]);
    expect(run.code, said(run)).toBe(0);
  };

  beforeAll(async () => {
    registry = await startRegistry();
    workspace = await copyWorkspace("test/fixtures/workspaces/serving");
    namespace = await freshNamespace(admin, "deploy");
    createdNamespaces.push(namespace);
    const file = path.join(workspace.dir, "parity.yaml");
    const profile = await readFile(file, "utf8");
    await writeFile(
      file,
      `${profile.replace('  python: "3.11"\n', `  python: "3.11"\n  registry: ${registry.host}/team\n`)}cluster:\n  namespace: ${namespace}\n  protected: false\n  nodeSelector: { type: kwok }\n  tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]\n`,
    );
    await train("1.0");
  }, TIMEOUT);
  afterAll(async () => {
    await workspace?.remove();
    await registry?.stop();
    // KServe made Deployments and autoscalers there, which the control plane's controllers would
    // keep reconciling for the rest of the run: gone with the namespaces.
    const core = admin.makeApiClient(CoreV1Api);
    for (const made of createdNamespaces) await core.deleteNamespace({ name: made }).catch(() => undefined);
  });

  it(
    "--dry-run prints the InferenceService and changes nothing",
    async () => {
      const run = await cli(["deploy", "train.ipynb", "--target", "cluster", "--dry-run"]);
      expect(run.code, said(run)).toBe(0);
      const yaml = run.out.join("\n");
      expect(yaml).toMatch(/kind: InferenceService/);
      expect(yaml).toMatch(/name: kserve-container/);
      expect(yaml).toMatch(/serving\.kserve\.io\/deploymentMode: Standard/);
      expect(yaml).toContain(`${registry.host}/team/fixture-serving-serve:`);
      expect(yaml).toMatch(/memory: 768Mi/);
      expect(await readInferenceService(admin, namespace, "iris").catch(() => undefined)).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    "refuses before building when the predictor's pod could not schedule (the preflight, as for job runs)",
    async () => {
      const profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
      await writeFile(
        path.join(workspace.dir, "nowhere.yaml"),
        profile.replace("nodeSelector: { type: kwok }", "nodeSelector: { pool: serving }"),
      );
      const run = await cli(["deploy", "train.ipynb", "--target", "cluster", "--profile", "nowhere.yaml"]);
      expect(run.code).toBe(1);
      expect(said(run)).toMatch(/No ready node has the label pool=serving/);
      expect(said(run)).toMatch(
        /cannot schedule the endpoint's predictor as it is; nothing was built or changed/,
      );
      expect(said(run)).not.toMatch(/Building/);
      expect(await readInferenceService(admin, namespace, "iris").catch(() => undefined)).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    "deploys the model as an InferenceService KServe serves: the serving image pushed, requests = limits, the profile's placement, Ready with its URL",
    async () => {
      const { run, json } = await deploy([]);
      expect(run.code, said(run)).toBe(0);
      expect(json).toMatchObject({
        name: "iris",
        status: "running",
        action: "created",
        mode: "Standard",
        namespace,
      });
      expect(json.url).toBe(`http://iris-${namespace}.example.com`);
      expect(json.conditions).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True" })]),
      );
      expect(json.traffic).toEqual([expect.objectContaining({ percent: 100, applied: true })]);
      expect(said(run)).toMatch(
        /Standard mode \(the cluster's default, ConfigMap kserve\/inferenceservice-config\)/,
      );

      // KServe's own Deployment for the predictor, from the InferenceService Parity wrote.
      const revision = json.traffic[0]!.revision;
      const made = await deployment(`iris-${revision}-predictor`);
      const container = made?.spec?.template.spec?.containers.find(
        (each) => each.name === "kserve-container",
      );
      expect(container?.image).toBe(json.image);
      expect(container?.image).toContain(registry.host);
      expect(container?.resources?.limits).toEqual(container?.resources?.requests);
      expect(container?.resources?.limits?.memory).toBe("768Mi");
      expect(container?.args).toEqual(expect.arrayContaining(["--model_name=iris", "--http_port=8080"]));
      expect(made?.spec?.template.spec?.nodeSelector).toEqual({ type: "kwok" });
      expect(made?.spec?.template.spec?.tolerations).toEqual([
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      ]);
      // The record says where it serves; parity endpoints reads it again from the cluster.
      const record = await recordIn(workspace.dir, json.runId);
      expect(record).toMatchObject({ kind: "endpoint", target: "cluster", status: "running" });
      expect(record.cluster).toMatchObject({ kind: "InferenceService", name: "iris", namespace });
      const listed = await cli(["endpoints", "--json"]);
      expect(lastJson<{ name: string; status: string; target: string }[]>(listed)).toEqual([
        expect.objectContaining({ name: "iris", status: "serving", target: "cluster" }),
      ]);

      // The model server's log, as the pod gives it (kwok plays it): parity logs reads it.
      const pods = await admin
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace, labelSelector: "serving.kserve.io/inferenceservice=iris" });
      const pod = pods.items[0]!.metadata!.name!;
      await setPodLog(cluster, namespace, pod, "kserve-container", [
        "parity: model iris loaded",
        "INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)",
      ]);
      const logs = await until("the predictor's log in parity logs", async () => {
        const printed = await cli(["logs", json.runId]);
        return printed.out.some((line) => line.includes("Uvicorn running on")) ? printed : undefined;
      });
      expect(logs.out.join("\n")).toContain("parity: model iris loaded");

      // The same model again is refused as a canary of itself.
      const same = await deploy(["--canary", "20"]);
      expect(same.run.code).toBe(1);
      expect(said(same.run)).toMatch(/already the endpoint iris's stable revision/);
    },
    TIMEOUT,
  );

  it(
    "a new model as a canary beside it (its own predictor; KServe 0.20 routes no traffic by percentage, and Parity says so), then promoted; another canary rolled back",
    async () => {
      const before = (await readInferenceService(admin, namespace, "iris"))!;
      const stable = before.spec.predictor.name!;
      await train("0.5");
      const canary = await deploy(["--canary", "20"]);
      expect(canary.run.code, said(canary.run)).toBe(0);
      expect(canary.json).toMatchObject({ action: "canary", status: "running" });
      const [kept, asked] = [
        canary.json.traffic.find((share) => share.revision === stable),
        canary.json.traffic.find((share) => share.revision !== stable),
      ];
      expect(kept).toMatchObject({ percent: 100, applied: true });
      expect(asked).toMatchObject({ percent: 20, applied: false });
      expect(asked!.url).toBe(`http://iris-${asked!.revision}-predictor.${namespace}.svc.cluster.local`);
      expect(canary.json.notes.join(" ")).toMatch(/not/i);
      expect(said(canary.run)).toMatch(/asked for, not routed by KServe/);
      // KServe made the canary's own Deployment and says it is ready.
      expect(await deployment(`iris-${asked!.revision}-predictor`)).toBeDefined();
      const withCanary = (await readInferenceService(admin, namespace, "iris"))!;
      expect(withCanary.spec.canary).toEqual([expect.objectContaining({ trafficPercent: 20 })]);
      expect(withCanary.status?.conditions).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: "CanaryPredictorReady", status: "True" })]),
      );

      const promoted = await deploy(["--promote"]);
      expect(promoted.run.code, said(promoted.run)).toBe(0);
      expect(promoted.json).toMatchObject({ action: "promoted", status: "running" });
      const after = (await readInferenceService(admin, namespace, "iris"))!;
      expect(after.spec.predictor.name).toBe(asked!.revision);
      expect(after.spec.canary ?? []).toEqual([]);
      expect(promoted.json.traffic).toEqual([
        expect.objectContaining({ revision: asked!.revision, percent: 100, applied: true }),
      ]);

      await train("0.25");
      const second = await deploy(["--canary", "10"]);
      expect(second.run.code, said(second.run)).toBe(0);
      const rolled = await deploy(["--rollback"]);
      expect(rolled.run.code, said(rolled.run)).toBe(0);
      expect(rolled.json).toMatchObject({ action: "rolled back", status: "running" });
      const back = (await readInferenceService(admin, namespace, "iris"))!;
      expect(back.spec.predictor.name).toBe(asked!.revision);
      expect(back.spec.canary ?? []).toEqual([]);
      // Nothing to promote any more.
      const nothing = await deploy(["--promote"]);
      expect(nothing.run.code).toBe(1);
      // A new model in place of the endpoint's: its predictor keeps its name, so KServe rolls its
      // Deployment (the old pods serve until the new ones are ready) instead of replacing it.
      await train("3.0");
      const replaced = await deploy([]);
      expect(replaced.run.code, said(replaced.run)).toBe(0);
      expect(replaced.json).toMatchObject({ action: "replaced", status: "running" });
      const now = (await readInferenceService(admin, namespace, "iris"))!;
      expect(now.spec.predictor.name).toBe(asked!.revision);
      const rolledDeployment = await deployment(`iris-${asked!.revision}-predictor`);
      expect(
        rolledDeployment?.spec?.template.spec?.containers.find((each) => each.name === "kserve-container")
          ?.image,
      ).toBe(replaced.json.image);
      // One record for the endpoint throughout.
      expect(
        new Set([
          canary.json.runId,
          promoted.json.runId,
          second.json.runId,
          rolled.json.runId,
          replaced.json.runId,
        ]).size,
      ).toBe(1);
    },
    TIMEOUT,
  );

  it(
    "an endpoint KServe deploys in Knative mode, on a cluster without Knative Serving, is refused before anything is built",
    async () => {
      const elsewhere = await freshNamespace(admin, "knative");
      createdNamespaces.push(elsewhere);
      await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...inferenceServices,
        namespace: elsewhere,
        body: {
          apiVersion: "serving.kserve.io/v1beta1",
          kind: "InferenceService",
          metadata: { name: "iris", annotations: { "serving.kserve.io/deploymentMode": "Knative" } },
          spec: { predictor: { containers: [{ name: "kserve-container", image: "example.com/iris:1" }] } },
        },
      });
      const run = await cli([
        "deploy",
        "train.ipynb",
        "--target",
        "cluster",
        "-n",
        elsewhere,
        "--canary",
        "20",
      ]);
      expect(run.code).toBe(1);
      expect(said(run)).toMatch(/Knative mode \(the endpoint's (annotation|status)\)/);
      expect(said(run)).toMatch(
        /does not serve Knative Serving: KServe would reject it \(ServerlessModeRejected\)/,
      );
      expect(said(run)).not.toMatch(/Building/);
    },
    TIMEOUT,
  );

  it(
    "in a protected namespace, changing the endpoint takes its name typed; stopping it deletes the InferenceService and ends its record",
    async () => {
      await admin
        .makeApiClient(CoreV1Api)
        .patchNamespace(
          { name: namespace, body: { metadata: { labels: { "parity.dev/protected": "true" } } } },
          { headers: { "Content-Type": "application/merge-patch+json" } } as never,
        )
        .catch(async () => {
          const core = admin.makeApiClient(CoreV1Api);
          const ns = await core.readNamespace({ name: namespace });
          ns.metadata!.labels = { ...ns.metadata!.labels, "parity.dev/protected": "true" };
          await core.replaceNamespace({ name: namespace, body: ns });
        });
      const before = (await readInferenceService(admin, namespace, "iris"))!;
      await train("2.0");
      const refused = await deploy(["--canary", "30"]);
      expect(refused.run.code).toBe(1);
      expect(said(refused.run)).toMatch(
        /protected namespace: changing the endpoint iris takes its name typed/,
      );
      expect((await readInferenceService(admin, namespace, "iris"))!.metadata.resourceVersion).toBe(
        before.metadata.resourceVersion,
      );

      const record = (await cli(["endpoints", "--json"])).out.at(-1)!;
      const runId = (JSON.parse(record) as { runId: string }[])[0]!.runId;
      const unconfirmed = await cli(["endpoints", "stop", "iris"]);
      expect(unconfirmed.code).toBe(1);
      expect(await readInferenceService(admin, namespace, "iris")).toBeDefined();
      const stopped = await cli(["endpoints", "stop", "iris", "--confirm", "iris", "--json"]);
      expect(stopped.code, said(stopped)).toBe(0);
      expect(lastJson<{ status: string }[]>(stopped)).toEqual([
        expect.objectContaining({ status: "stopped" }),
      ]);
      expect((await recordIn(workspace.dir, runId)).status).toBe("cancelled");
    },
    TIMEOUT,
  );
});
