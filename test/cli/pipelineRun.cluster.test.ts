import { execFile, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/core/diagnosis/types";
import type { RunResult } from "../../src/core/job/types";
import {
  artifactKey,
  driveArgoPods,
  offerVolumes,
  podTemplate,
  type PodFate,
} from "../cluster/harness/argoPods";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { copyWorkspace, lastJson, repoRoot, runCli } from "../integration/helpers/workspace";
import { recoverRun } from "../../src/app/reconcile";
import { kfpArgoPlan } from "../../src/core/pipeline/kfp/argo";
import { findRun } from "../../src/app/store";
import { compileKfp, KFP_TEST_IMAGE, kfpWorkspace } from "../kfp/harness/kfp";
import { startRegistry } from "../registry/harness/registry";

// `parity pipeline run --target cluster`: a pipeline.yaml and a Kale-tagged notebook built here by
// the real Docker engine, pushed to a real registry on loopback, submitted as an Argo Workflow to
// the real control plane, where the real workflow-controller (v3.7.3) makes each step's pod in the
// DAG's order. kwok stands in for the kubelet: no container runs, so the test plays the containers
// (test/cluster/harness/argoPods.ts): it gives each step's main container a log line, ends its pod
// as the test says (exit 0, OOMKilled, or not at all), and reports the ended pod's task result as
// Argo's wait container would; and it offers the volumes the Workflows claim (nothing provisions them).
const cluster = useCluster();
const BUILD_TIMEOUT = 600_000;

interface PipelineJson {
  runId: string;
  status: string;
  steps: {
    name: string;
    status: string;
    runId: string | null;
    oomKilled: boolean;
    exitCode: number | null;
    reason: string | null;
    diagnosis: Diagnosis[];
  }[];
  diagnosis: Diagnosis[];
}

describe("parity pipeline run --target cluster", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let kale: Awaited<ReturnType<typeof copyWorkspace>>;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let namespace = "";
  let kfpDir = "";
  const admin = kubeConfig(cluster.kubeconfigs.admin);
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfigs.admin });

  const clusterProfile = async (dir: string) => {
    const file = path.join(dir, "parity.yaml");
    const profile = await readFile(file, "utf8");
    await writeFile(
      file,
      `${profile.replace('  python: "3.11"\n', `  python: "3.11"\n  registry: ${registry.host}/team\n`)}cluster:\n  namespace: ${namespace}\n  protected: false\n`,
    );
  };

  beforeAll(async () => {
    registry = await startRegistry();
    namespace = await freshNamespace(admin, "piperun");
    // One for each run in this namespace below (each claims its own), and some to spare.
    await offerVolumes(cluster, namespace, 12);
    workspace = await copyWorkspace("test/fixtures/workspaces/yaml-pipeline");
    kale = await copyWorkspace("test/fixtures/workspaces/kale-pipeline");
    await clusterProfile(workspace.dir);
    await clusterProfile(kale.dir);
    // A pipeline compiled by the real kfp SDK (2.17.3): its components on a Python pip may install into.
    kfpDir = await kfpWorkspace("parity-kfp-cluster-", [
      "image:",
      `  registry: ${registry.host}/team`,
      "cluster:",
      `  namespace: ${namespace}`,
      "  protected: false",
    ]);
    await compileKfp("numbers_pipeline", kfpDir, KFP_TEST_IMAGE);
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    await workspace?.remove();
    await kale?.remove();
    if (kfpDir) await rm(kfpDir, { recursive: true, force: true });
    await registry?.stop();
  });

  /** Runs the CLI while the test plays the step pods' containers. */
  async function runOnCluster(
    dir: string,
    file: string,
    fate: (step: string) => PodFate,
    options: {
      signal?: AbortSignal;
      onErr?: (line: string) => void;
      logOf?: Parameters<typeof driveArgoPods>[3];
    } = {},
  ) {
    const pods = driveArgoPods(cluster, namespace, fate, options.logOf);
    try {
      const result = await runCli(["pipeline", "run", file, "--target", "cluster", "--json"], {
        cwd: dir,
        env: env(),
        ...options,
      });
      // What the test could not do for the pods is said with what the CLI said.
      return { ...result, err: [...result.err, ...pods.problems.map((problem) => `(test) ${problem}`)] };
    } finally {
      await pods.stop();
    }
  }

  const record = async (dir: string, runId: string) =>
    JSON.parse(await readFile(path.join(dir, ".parity", "runs", runId, "run.json"), "utf8")) as RunResult;
  const logText = async (dir: string, runId: string) =>
    readFile(path.join(dir, ".parity", "runs", runId, "logs.jsonl"), "utf8");

  it(
    "runs a pipeline.yaml as a Workflow to its end: every step succeeded, each its own run with its pod's log, the limits as requests and limits",
    async () => {
      const result = await runOnCluster(workspace.dir, "pipeline.yaml", () => "complete");
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(0);
      const run = lastJson<PipelineJson>(result);
      expect(run.status).toBe("succeeded");
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ["prepare", "succeeded"],
        ["square", "succeeded"],
        ["report", "succeeded"],
      ]);
      const progress = result.err.join("\n");
      expect(progress).toMatch(/Image: +Pushed 127\.0\.0\.1:\d+\/team\//);
      expect(progress).toMatch(/Submitted Workflow piperun-\w+\/[a-z0-9-]+ \(run /);
      // kwok's cluster has no StorageClass: the test offers volumes, and the run says what would otherwise happen.
      expect(progress).toContain(
        "! The cluster has no default StorageClass: unless a volume is there for it, the run's claim stays unbound and its first step Pending.",
      );
      // Each step's lines are its own run's, in its own log.
      for (const step of run.steps) {
        const stepRecord = await record(workspace.dir, step.runId!);
        expect(stepRecord).toMatchObject({
          status: "succeeded",
          parent: run.runId,
          step: step.name,
          target: "cluster",
        });
        expect(await logText(workspace.dir, step.runId!)).toContain(`${step.name} ran in `);
      }
      const pipelineRecord = await record(workspace.dir, run.runId);
      expect(pipelineRecord).toMatchObject({ kind: "pipeline", target: "cluster", status: "succeeded" });
      expect(pipelineRecord.cluster).toMatchObject({ kind: "Workflow", namespace, imageDelivery: "pushed" });
      expect(pipelineRecord.finishedAt).toBeTruthy();
      // The Workflow the controller ran: the square step's own limit as request and limit, the pushed image.
      const workflow = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: "argoproj.io",
        version: "v1alpha1",
        namespace,
        plural: "workflows",
        name: pipelineRecord.cluster!.name,
      })) as {
        status: { phase: string };
        spec: { templates: { name: string; container?: { image: string; resources: object } }[] };
      };
      expect(workflow.status.phase).toBe("Succeeded");
      const square = workflow.spec.templates.find((template) => template.name === "square")!;
      expect(square.container!.resources).toEqual({
        requests: { memory: "128Mi", cpu: "500m" },
        limits: { memory: "128Mi", cpu: "500m" },
      });
      expect(square.container!.image.startsWith(`${registry.host}/team/`)).toBe(true);
    },
    BUILD_TIMEOUT,
  );

  it(
    "refuses, before anything is built, a step the cluster cannot schedule and a value Argo would read as its own",
    async () => {
      const pipeline = await readFile(path.join(workspace.dir, "pipeline.yaml"), "utf8");
      await writeFile(
        path.join(workspace.dir, "gpu.yaml"),
        pipeline.replace(
          "    resources:\n      memory: 128Mi",
          "    resources:\n      memory: 128Mi\n      gpu: 16",
        ),
      );
      const gpu = await runCli(["pipeline", "run", "gpu.yaml", "--target", "cluster"], {
        cwd: workspace.dir,
        env: env(),
      });
      expect(gpu.code).toBe(1);
      const said = [...gpu.out, ...gpu.err].join("\n");
      expect(said).toMatch(
        /The cluster cannot schedule the step square as it is; nothing was built or submitted\./,
      );
      expect(said).toMatch(/16 GPUs/);
      expect(said).not.toMatch(/Building|Built|Pushed/);

      const braces = await runCli(
        ["pipeline", "run", "pipeline.yaml", "--target", "cluster", "-p", "label={{workflow.name}}"],
        { cwd: workspace.dir, env: env() },
      );
      expect(braces.code).toBe(1);
      expect([...braces.out, ...braces.err].join("\n")).toContain(
        '-p label={{workflow.name}}: label holds "{{", which Argo would read as one of its expressions.',
      );
    },
    BUILD_TIMEOUT,
  );

  it(
    "fails a step OOMKilled at its limit, explained, and does not run the steps after it",
    async () => {
      const result = await runOnCluster(workspace.dir, "pipeline.yaml", (step) =>
        step === "square" ? "oom" : "complete",
      );
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(1);
      const run = lastJson<PipelineJson>(result);
      expect(run.status).toBe("failed");
      const [prepare, square, report] = run.steps;
      expect(prepare).toMatchObject({ status: "succeeded" });
      expect(square).toMatchObject({ status: "failed", oomKilled: true, exitCode: 137 });
      expect(square!.reason).toMatch(/out-of-memory killer at its 128 MiB memory limit/);
      expect(square!.diagnosis[0]?.code).toBe("OOMKilled");
      expect(report).toMatchObject({ status: "not-run", reason: "square did not succeed" });
      expect(run.diagnosis[0]).toMatchObject({ code: "StepFailed" });
      expect(run.diagnosis[0]!.message).toContain("The step square failed");
    },
    BUILD_TIMEOUT,
  );

  it(
    "maps a step's Python exception in its pod's log to the line of its script, as a job run's",
    async () => {
      // The traceback the step's script would print, naming the line of the script in the image that
      // prepare.py's `with open(...)` became (read from the image the pod names).
      const logOf = async (step: string, pod: V1Pod): Promise<string[] | undefined> => {
        if (step !== "prepare") return undefined;
        const main = pod.spec!.containers.find((container) => container.name === "main")!;
        const script = main.args![0]!;
        const { stdout } = await promisify(execFile)("docker", [
          "run",
          "--rm",
          "--entrypoint",
          "cat",
          main.image!,
          script,
        ]);
        const line = stdout.split("\n").findIndex((text) => text.includes("with open(parity_outputs")) + 1;
        return [
          "Traceback (most recent call last):",
          `  File "${script}", line ${line}, in <module>`,
          '    with open(parity_outputs["numbers.txt"], "w") as handle:',
          "PermissionError: [Errno 13] Permission denied: '/parity-artifacts/numbers.txt'",
        ];
      };
      const result = await runOnCluster(
        workspace.dir,
        "pipeline.yaml",
        (step) => (step === "prepare" ? "error" : "complete"),
        {
          logOf,
        },
      );
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(1);
      const run = lastJson<PipelineJson>(result);
      const prepare = run.steps.find((step) => step.name === "prepare")!;
      expect(prepare).toMatchObject({ status: "failed", exitCode: 1 });
      const mapped = prepare.diagnosis.find((item) => item.location?.file?.endsWith("prepare.py"));
      expect(mapped?.location?.line).toBe(2);
      expect(mapped?.message).toContain("PermissionError");
      expect(run.steps.slice(1).map((step) => [step.name, step.status, step.reason])).toEqual([
        ["square", "not-run", "prepare did not succeed"],
        ["report", "not-run", "square did not succeed"],
      ]);
    },
    BUILD_TIMEOUT,
  );

  it(
    "cancelled, deletes the Workflow: the running step is cancelled, the steps after it not run",
    async () => {
      const controller = new AbortController();
      const result = await runOnCluster(
        workspace.dir,
        "pipeline.yaml",
        (step) => (step === "square" ? "hold" : "complete"),
        {
          signal: controller.signal,
          onErr: (line) => {
            if (line.startsWith("square: started")) setTimeout(() => controller.abort(), 500);
          },
        },
      );
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(130);
      const run = lastJson<PipelineJson>(result);
      expect(run.status).toBe("cancelled");
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ["prepare", "succeeded"],
        ["square", "cancelled"],
        ["report", "not-run"],
      ]);
      // The step's own run says so too, and no process holds its record any more.
      const square = run.steps.find((step) => step.name === "square")!;
      expect(await record(workspace.dir, square.runId!)).toMatchObject({ status: "cancelled" });
      expect((await record(workspace.dir, square.runId!)).finishedAt).toBeTruthy();
      const name = (await record(workspace.dir, run.runId)).cluster!.name;
      await until(
        "the Workflow deleted",
        async () =>
          admin
            .makeApiClient(CustomObjectsApi)
            .getNamespacedCustomObject({
              group: "argoproj.io",
              version: "v1alpha1",
              namespace,
              plural: "workflows",
              name,
            })
            .then(
              () => undefined,
              (error: { code?: number }) => (error.code === 404 ? true : undefined),
            ),
        30_000,
      );
    },
    BUILD_TIMEOUT,
  );

  it(
    "runs a Kale-tagged notebook as a Workflow: its steps in the DAG's order, the join after both branches",
    async () => {
      const order: string[] = [];
      const result = await runOnCluster(kale.dir, "numbers.ipynb", () => "complete", {
        onErr: (line) => {
          const ended = /^(\w+): succeeded/.exec(line);
          if (ended) order.push(ended[1]!);
        },
      });
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(0);
      const run = lastJson<PipelineJson>(result);
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ["load", "succeeded"],
        ["squares", "succeeded"],
        ["total", "succeeded"],
        ["report", "succeeded"],
      ]);
      expect(order[0]).toBe("load");
      expect(order.at(-1)).toBe("report");
    },
    BUILD_TIMEOUT,
  );

  it(
    "runs a kfp-compiled pipeline as a Workflow: each task in its own pushed image, resolved in its pod, under the task's own limits",
    async () => {
      const result = await runOnCluster(kfpDir, "numbers_pipeline.yaml", () => "complete");
      expect(result.code, [...result.out, ...result.err].join("\n")).toBe(0);
      const run = lastJson<PipelineJson>(result);
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ["make", "succeeded"],
        ["report", "succeeded"],
        ["total", "succeeded"],
      ]);
      const name = (await record(kfpDir, run.runId)).cluster!.name;
      const workflow = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: "argoproj.io",
        version: "v1alpha1",
        namespace,
        plural: "workflows",
        name,
      })) as {
        spec: {
          templates: {
            name: string;
            container?: { image: string; command: string[]; args: string[]; resources: { limits: object } };
          }[];
        };
      };
      const template = (step: string) =>
        workflow.spec.templates.find((each) => each.name === step)!.container!;
      // make: set_memory_limit('256M') and set_cpu_limit('500m'), not the profile's 512Mi and 1 CPU.
      // (256000000 bytes as the API server writes the quantity back.)
      expect(template("make").resources.limits).toEqual({ memory: "256M", cpu: "500m" });
      expect(template("total").resources.limits).toMatchObject({ memory: "512Mi" });
      for (const step of ["make", "total", "report"]) {
        expect(template(step).image.startsWith(`${registry.host}/team/`)).toBe(true);
        // KFP's placeholders are resolved in the pod, from the files on the run's volume.
        expect(template(step).command.slice(0, 2)).toEqual(["python3", "-c"]);
      }
      const plan = kfpArgoPlan(template("report").args) as { command: string[]; outputs: string };
      expect(plan.outputs).toBe("/parity-artifacts/{{workflow.name}}/report");
    },
    BUILD_TIMEOUT,
  );

  it(
    "is followed again after the process following it was killed: the running step's run is taken up without a line twice, and the pipeline ends as its Workflow does",
    async () => {
      let squareFate: PodFate = "hold";
      const pods = driveArgoPods(cluster, namespace, (step) => (step === "square" ? squareFate : "complete"));
      try {
        const child = spawn(
          process.execPath,
          [
            path.join(repoRoot, "bin", "parity.js"),
            "pipeline",
            "run",
            "pipeline.yaml",
            "--target",
            "cluster",
          ],
          { cwd: workspace.dir, env: env(), stdio: ["ignore", "pipe", "pipe"] },
        );
        let said = "";
        const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
        child.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString()));
        child.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString()));
        const squareRun = await until(
          "square running with its line recorded",
          async () => {
            const id = /square: started \(run ([^)]+)\)/.exec(said)?.[1];
            const text = id ? await logText(workspace.dir, id).catch(() => "") : "";
            // The pipeline's own record is saved a moment after the step's: both say it runs.
            const pipelineId = /Submitted Workflow \S+ \(run ([^)]+)\)/.exec(said)?.[1];
            const pipeline = pipelineId
              ? await findRun(workspace.dir, pipelineId).catch(() => undefined)
              : undefined;
            if (id && text.includes("square ran in ") && pipeline?.result.status === "running") return id;
            // Said when it times out: what the CLI printed so far.
            throw new Error(`the CLI said:\n${said}`);
          },
          120_000,
        );
        const runId = /Submitted Workflow \S+ \(run ([^)]+)\)/.exec(said)![1]!;
        child.kill("SIGKILL");
        await exited;
        const left = await findRun(workspace.dir, runId);
        expect(left.result.status).toBe("running");

        // The extension's start-up finds the record without a follower and follows it again.
        const recovery = await recoverRun(
          { cwd: workspace.dir, env: env(), signal: new AbortController().signal },
          left,
        );
        squareFate = "complete";
        const result = await recovery.handle!.result;
        expect(result.status).toBe("succeeded");
        expect(result.steps!.map((step) => [step.name, step.status])).toEqual([
          ["prepare", "succeeded"],
          ["square", "succeeded"],
          ["report", "succeeded"],
        ]);
        // The try the killed process started is the one finished: its line once, its record ended.
        const square = result.steps!.find((step) => step.name === "square")!;
        expect(square.runId).toBe(squareRun);
        const lines = (await logText(workspace.dir, squareRun))
          .split("\n")
          .filter((line) => line.includes("square ran in "));
        expect(lines).toHaveLength(1);
        expect(await record(workspace.dir, squareRun)).toMatchObject({ status: "succeeded", parent: runId });
        expect((await record(workspace.dir, runId)).finishedAt).toBeTruthy();
      } finally {
        await pods.stop();
      }
    },
    BUILD_TIMEOUT,
  );

  it(
    "hands files on through the artifact repository the namespace configures for Argo: each step's outputs an artifact, put in place in the pods that read it",
    async () => {
      const core = admin.makeApiClient(CoreV1Api);
      const artifactNamespace = await freshNamespace(admin, "pipeart");
      // Argo's own way to configure a namespace's repository (an S3 bucket here; nothing is uploaded under kwok).
      await core.createNamespacedSecret({
        namespace: artifactNamespace,
        body: {
          metadata: { name: "s3-credentials" },
          stringData: { accesskey: "parity", secretkey: "parity" },
        },
      });
      await core.createNamespacedConfigMap({
        namespace: artifactNamespace,
        body: {
          metadata: {
            name: "artifact-repositories",
            annotations: { "workflows.argoproj.io/default-artifact-repository": "default" },
          },
          data: {
            default: [
              "s3:",
              "  bucket: parity-artifacts",
              "  endpoint: s3.parity.test:9000",
              "  insecure: true",
              "  accessKeySecret: {name: s3-credentials, key: accesskey}",
              "  secretKeySecret: {name: s3-credentials, key: secretkey}",
              "",
            ].join("\n"),
          },
        },
      });
      const pods = driveArgoPods(cluster, artifactNamespace, () => "complete");
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = await runCli(
          ["pipeline", "run", "pipeline.yaml", "--target", "cluster", "-n", artifactNamespace, "--json"],
          { cwd: workspace.dir, env: env() },
        );
      } finally {
        await pods.stop();
      }
      expect(result.code, [...result.out, ...result.err, ...pods.problems].join("\n")).toBe(0);
      expect(result.err.join("\n")).toContain(
        `Artifacts: through the artifact repository ${artifactNamespace} configures for Argo (ConfigMap artifact-repositories)`,
      );
      const run = lastJson<PipelineJson>(result);
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ["prepare", "succeeded"],
        ["square", "succeeded"],
        ["report", "succeeded"],
      ]);
      // No volume was claimed; the controller gave each reading pod its producers' artifacts, by their keys.
      const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: artifactNamespace });
      expect(claims.items).toEqual([]);
      const all = (await core.listNamespacedPod({ namespace: artifactNamespace })).items;
      const podOf = (step: string) => all.find((pod) => pod.metadata?.labels?.["parity.dev/step"] === step)!;
      const given = (pod: V1Pod) =>
        (podTemplate(pod).inputs?.artifacts ?? []).map((artifact) => [
          artifact.name,
          artifact.path,
          artifact.s3?.key,
        ]);
      expect(given(podOf("square"))).toEqual([
        ["from-prepare", "/parity-artifacts/prepare", artifactKey(podOf("prepare"), "outputs")],
      ]);
      expect(given(podOf("report"))).toEqual([
        ["from-square", "/parity-artifacts/square", artifactKey(podOf("square"), "outputs")],
      ]);
    },
    BUILD_TIMEOUT,
  );
});
