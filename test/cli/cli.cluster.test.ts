import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { BatchV1Api } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/core/diagnosis/types";
import type { RunResult } from "../../src/core/job/types";
import { applyProfileChanges } from "../../src/core/profile/edit";
import { freshNamespace, kubeConfig, useCluster } from "../cluster/harness/context";
import { copyWorkspace, lastJson, runCli } from "../integration/helpers/workspace";
import { startRegistry } from "../registry/harness/registry";

// `parity check|manifest|run --target cluster` on the training example the local tests run, against
// the real control plane (test/cluster) and a real registry on loopback (Debian's docker-registry),
// with the real Docker engine building and pushing. kwok completes the Job's pod: no container runs.
const cluster = useCluster();
const BUILD_TIMEOUT = 600_000;

describe("the training example on the cluster, from the CLI", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let namespace: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    registry = await startRegistry();
    workspace = await copyWorkspace("examples/train");
    namespace = await freshNamespace(kubeConfig(cluster.kubeconfigs.admin), "cli");
    const profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
    await writeFile(
      path.join(workspace.dir, "parity.yaml"),
      `${profile.replace('  python: "3.11"\n', `  python: "3.11"\n  registry: ${registry.host}/team\n`)}cluster:\n  namespace: ${namespace}\n  protected: false\n`,
    );
    await writeFile(
      path.join(workspace.dir, "gpu.yaml"),
      (await readFile(path.join(workspace.dir, "parity.yaml"), "utf8")).replace("gpu: 0", "gpu: 16"),
    );
    await writeFile(
      path.join(workspace.dir, "noregistry.yaml"),
      `${profile}cluster:\n  namespace: ${namespace}\n`,
    );
    env = { ...process.env, KUBECONFIG: cluster.kubeconfigs.admin };
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    await workspace?.remove();
    await registry?.stop();
  });

  it("prints the Job it would submit as plain YAML, with the profile's requests and limits", async () => {
    const result = await runCli(["manifest", "train.ipynb", "--target", "cluster"], {
      cwd: workspace.dir,
      env,
    });
    expect(result.code, result.err.join("\n")).toBe(0);
    const job = load(result.out.join("\n")) as {
      apiVersion: string;
      kind: string;
      metadata: { namespace: string; labels: Record<string, string> };
      spec: { template: { spec: { containers: { image: string; resources: object }[] } } };
    };
    expect(job).toMatchObject({ apiVersion: "batch/v1", kind: "Job", metadata: { namespace } });
    expect(job.metadata.labels["app.kubernetes.io/managed-by"]).toBe("parity");
    const container = job.spec.template.spec.containers[0]!;
    expect(container.image.startsWith(`${registry.host}/team/digits-train:`)).toBe(true);
    expect(container.resources).toEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
  });

  it("predicts that it would schedule and that the user may submit it", async () => {
    const result = await runCli(["check", "train.ipynb", "--target", "cluster", "--json"], {
      cwd: workspace.dir,
      env,
    });
    expect(result.code, result.err.join("\n")).toBe(0);
    expect(lastJson(result)).toMatchObject({ schedulable: true, allowed: true, namespace, missing: [] });
  });

  it("exits 1 when the GPUs asked for exceed every node, before anything is built", async () => {
    const result = await runCli(
      ["check", "train.ipynb", "--target", "cluster", "--profile", "gpu.yaml", "--json"],
      { cwd: workspace.dir, env },
    );
    expect(result.code).toBe(1);
    const check = lastJson<{ schedulable: boolean; problems: { code: string; message: string }[] }>(result);
    expect(check.schedulable).toBe(false);
    const gpu = check.problems.find((problem) => problem.code === "InsufficientGpu");
    expect(gpu?.message).toMatch(/16 GPUs requested; the largest node has 8 allocatable/);
  });

  it("offers a fix that schedules on the real cluster: 8 GPUs and the toleration of the only 8-GPU node, as lines to paste", async () => {
    const text = await runCli(["check", "train.ipynb", "--target", "cluster", "--profile", "gpu.yaml"], {
      cwd: workspace.dir,
      env,
    });
    const out = text.out.join("\n");
    expect(out).toMatch(
      /Fix: Request at most 8 GPUs in parity\.yaml resources\.gpu, and tolerate the taint of \S+/,
    );
    // The lines to paste keep their indentation under the fix.
    expect(out).toContain(
      "\n      resources:\n        gpu: 8\n      cluster:\n        tolerations:\n          - key: nvidia.com/gpu\n",
    );

    const json = await runCli(
      ["check", "train.ipynb", "--target", "cluster", "--profile", "gpu.yaml", "--json"],
      {
        cwd: workspace.dir,
        env,
      },
    );
    const gpu = lastJson<{ problems: Diagnosis[] }>(json).problems.find((p) => p.code === "InsufficientGpu")!;
    const edited = applyProfileChanges(
      await readFile(path.join(workspace.dir, "gpu.yaml"), "utf8"),
      gpu.snippet!.changes,
    );
    if (!edited.ok) throw new Error(edited.reason);
    await writeFile(path.join(workspace.dir, "fixed.yaml"), edited.text);
    const fixed = await runCli(
      ["check", "train.ipynb", "--target", "cluster", "--profile", "fixed.yaml", "--json"],
      { cwd: workspace.dir, env },
    );
    // Schedulable now; what is left is the note that parity.yaml does not name the nodes' GPU.
    const result = lastJson<{ schedulable: boolean; problems: Diagnosis[] }>(fixed);
    expect(result.schedulable).toBe(true);
    expect(result.problems.map(({ code, severity }) => ({ code, severity }))).toEqual([
      { code: "GpuFromNodes", severity: "info" },
    ]);
    expect(fixed.code).toBe(0);
  });

  it("refuses the restricted user before anything is created, naming the missing permission", async () => {
    const restricted = { ...env, KUBECONFIG: cluster.kubeconfigs.restricted };
    const check = await runCli(["check", "train.ipynb", "--target", "cluster", "--json"], {
      cwd: workspace.dir,
      env: restricted,
    });
    expect(check.code).toBe(1);
    const missing = lastJson<{ missing: string[] }>(check).missing.join("\n");
    expect(missing).toMatch(new RegExp(`You cannot create jobs\\.batch, .* in ${namespace}`));

    const run = await runCli(["run", "train.ipynb", "--target", "cluster", "--json", "--no-report"], {
      cwd: workspace.dir,
      env: restricted,
    });
    expect(run.code).toBe(1);
    expect(lastJson<{ diagnosis: { code: string }[] }>(run).diagnosis[0]?.code).toBe("Forbidden");
    expect(run.err.join("\n")).toMatch(new RegExp(`You cannot create jobs\\.batch, .* in ${namespace}`));
    const jobs = await kubeConfig(cluster.kubeconfigs.admin)
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace });
    expect(jobs.items).toEqual([]);
    expect(existsSync(path.join(workspace.dir, ".parity", "runs"))).toBe(false);
  });

  it("says before building that a cluster off this machine needs image.registry, naming the profile", async () => {
    const result = await runCli(
      ["run", "train.ipynb", "--target", "cluster", "--profile", "noregistry.yaml", "--no-report"],
      { cwd: workspace.dir, env },
    );
    expect(result.code).toBe(1);
    const said = result.err.join("\n");
    expect(said).toMatch(
      /noregistry\.yaml:\d+ image\.registry: The cluster \(context [^)]+\) cannot see images/,
    );
    expect([...result.out, ...result.err].some((line) => line.startsWith("Building"))).toBe(false);
    const jobs = await kubeConfig(cluster.kubeconfigs.admin)
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace });
    expect(jobs.items).toEqual([]);

    // check says it too, and exits 1, though the job would schedule and is allowed.
    const check = await runCli(
      ["check", "train.ipynb", "--target", "cluster", "--profile", "noregistry.yaml", "--json"],
      { cwd: workspace.dir, env },
    );
    expect(check.code).toBe(1);
    const verdict = lastJson<{
      schedulable: boolean;
      allowed: boolean;
      problems: { code: string; location?: { file: string } }[];
    }>(check);
    expect(verdict).toMatchObject({ schedulable: true, allowed: true });
    const route = verdict.problems.find((problem) => problem.code === "RegistryMissing");
    expect(route?.location?.file).toBe(path.join(workspace.dir, "noregistry.yaml"));
  });

  it(
    "builds, pushes, submits and follows the run to success, with the same --json result as a local run",
    async () => {
      const result = await runCli(["run", "train.ipynb", "--target", "cluster", "--json", "--no-report"], {
        cwd: workspace.dir,
        env,
      });
      expect(result.code, result.err.slice(-30).join("\n")).toBe(0);
      const run = lastJson<RunResult>(result);
      expect(run).toMatchObject({ status: "succeeded", target: "cluster", exitCode: 0, oomKilled: false });
      expect(run.memoryLimitBytes).toBe(1024 ** 3);
      expect(run.cluster).toMatchObject({ kind: "Job", namespace, imageDelivery: "pushed" });
      expect(run.image.startsWith(`${registry.host}/team/digits-train:`)).toBe(true);
      expect(run.timeline?.some((entry) => entry.reason === "Scheduled")).toBe(true);
      // The pushed image is in the registry under the tag the pod names.
      const [repository, tag] = run.image.slice(registry.host.length + 1).split(":");
      const manifest = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
        method: "HEAD",
        headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
      });
      expect(manifest.status).toBe(200);
      // The record is where local runs keep theirs, so `parity logs` and the Runs view find it.
      const stored = JSON.parse(
        await readFile(path.join(workspace.dir, ".parity", "runs", run.runId, "run.json"), "utf8"),
      ) as RunResult;
      expect(stored.status).toBe("succeeded");
    },
    BUILD_TIMEOUT,
  );
});
