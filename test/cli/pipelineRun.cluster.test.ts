import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/core/diagnosis/types";
import type { RunResult } from "../../src/core/job/types";
import { driveArgoPods, offerVolumes, type PodFate } from "../cluster/harness/argoPods";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";
import { copyWorkspace, lastJson, runCli } from "../integration/helpers/workspace";
import { compileKfp } from "../kfp/harness/kfp";
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
const KFP_IMAGE = "parity-test/kfp-python:1";

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
    await offerVolumes(cluster, namespace, 6);
    workspace = await copyWorkspace("test/fixtures/workspaces/yaml-pipeline");
    kale = await copyWorkspace("test/fixtures/workspaces/kale-pipeline");
    await clusterProfile(workspace.dir);
    await clusterProfile(kale.dir);
    // A pipeline compiled by the real kfp SDK (2.17.3): its components on a Python pip may install into.
    const dockerfile = [
      "FROM parity/python:3.11-bookworm",
      "RUN python3 -m venv /opt/python",
      "ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "",
    ].join("\n");
    const build = promisify(execFile)("docker", ["build", "-q", "-t", KFP_IMAGE, "-"]);
    build.child.stdin?.end(dockerfile);
    await build;
    kfpDir = await mkdtemp(path.join(tmpdir(), "parity-kfp-cluster-"));
    await chmod(kfpDir, 0o755);
    await writeFile(
      path.join(kfpDir, "parity.yaml"),
      [
        "apiVersion: parity.dev/v1",
        "kind: Profile",
        "name: kfp-team",
        "image:",
        `  registry: ${registry.host}/team`,
        "resources:",
        "  memory: 512Mi",
        '  cpu: "1"',
        "build:",
        "  caCertificates: system",
        "cluster:",
        `  namespace: ${namespace}`,
        "  protected: false",
        "",
      ].join("\n"),
    );
    await compileKfp("numbers_pipeline", kfpDir, KFP_IMAGE);
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
    options: { signal?: AbortSignal; onErr?: (line: string) => void } = {},
  ) {
    const pods = driveArgoPods(cluster, namespace, fate);
    try {
      return await runCli(["pipeline", "run", file, "--target", "cluster", "--json"], {
        cwd: dir,
        env: env(),
        ...options,
      });
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
      const plan = JSON.parse(template("report").args[0]!) as { command: string[]; outputs: string };
      expect(plan.outputs).toBe("/parity-artifacts/{{workflow.name}}/report");
    },
    BUILD_TIMEOUT,
  );
});
