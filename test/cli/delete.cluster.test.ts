import { execFile, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { BatchV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context.js";
import { copyWorkspace, repoRoot, runCli } from "../integration/helpers/workspace";
import { recordedClusterRun, protectedNamespace } from "../kube/helpers/clusterRuns";
import { startRegistry } from "../registry/harness/registry";

// parity delete and Ctrl-C in parity run --target cluster, against the real control plane. The
// delete tests record a run by hand beside a Job the admin creates (no build); the Ctrl-C tests
// run the packaged CLI (bin/parity.js) as a child process on the sleeper fixture, built by the
// real engine and pushed to a loopback registry, as a PyTorchJob: kwok completes Job-owned pods
// at once, but a training operator's pods stay Running, so there is a run to interrupt.
const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const core = admin.makeApiClient(CoreV1Api);
const batch = admin.makeApiClient(BatchV1Api);
const custom = admin.makeApiClient(CustomObjectsApi);
const BUILD_TIMEOUT = 600_000;

const jobExists = async (namespace: string, name: string) =>
  (await batch.listNamespacedJob({ namespace })).items.some((job) => job.metadata?.name === name);

const readRecord = async (workspaceDir: string, runId: string) =>
  JSON.parse(
    await readFile(path.join(workspaceDir, ".parity", "runs", runId, "run.json"), "utf8"),
  ) as RunResult;

describe("parity delete", () => {
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfigs.admin };

  it("in a protected namespace deletes nothing without --confirm and the exact name, and deletes with it", async () => {
    const namespace = await protectedNamespace(admin, "del-prod");
    const { workspaceDir, name } = await recordedClusterRun(
      cluster.kubeconfigs.admin,
      namespace,
      "guarded-cli-1",
    );

    const refused = await runCli(["delete", "guarded-cli"], { cwd: workspaceDir, env });
    expect(refused.code).toBe(1);
    const said = refused.err.join("\n");
    expect(said).toContain(`${namespace} is a protected namespace: nothing was deleted.`);
    expect(said).toContain(`parity delete guarded-cli-1 --confirm ${name}`);

    const wrong = await runCli(["delete", "guarded-cli-1", "--confirm", `${name}-x`], {
      cwd: workspaceDir,
      env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.err.join("\n")).toContain(`The name given (${name}-x) is not ${name}.`);
    expect(await jobExists(namespace, name)).toBe(true);
    expect((await readRecord(workspaceDir, "guarded-cli-1")).status).toBe("running");

    const deleted = await runCli(["delete", "guarded-cli-1", "--confirm", name], { cwd: workspaceDir, env });
    expect(deleted.code, deleted.err.join("\n")).toBe(0);
    expect(deleted.out.join("\n"), deleted.err.join("\n")).toContain(`Deleted Job ${name} in ${namespace}`);
    await until(`Job ${name} gone`, async () => ((await jobExists(namespace, name)) ? undefined : true));
    // No process followed it: the record is brought to its end by the deletion, not left running.
    expect((await readRecord(workspaceDir, "guarded-cli-1")).status).toBe("cancelled");
  });

  it("on a terminal asks for the name: another answer deletes nothing, the exact name deletes", async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
    const namespace = await protectedNamespace(admin, "del-tty");
    const { workspaceDir, name } = await recordedClusterRun(
      cluster.kubeconfigs.admin,
      namespace,
      "asked-cli-1",
    );

    const wrong = await onTerminal(["delete", "asked-cli-1"], workspaceDir, `${name}-x`);
    expect(wrong.code, wrong.output).toBe(1);
    expect(wrong.output).toContain(`${namespace} is a protected namespace: deleting Job ${name}`);
    expect(wrong.output).toContain(`The name given (${name}-x) is not ${name}.`);
    expect(await jobExists(namespace, name)).toBe(true);

    const right = await onTerminal(["delete", "asked-cli-1"], workspaceDir, name);
    expect(right.code, right.output).toBe(0);
    expect(right.output).toContain(`Deleted Job ${name} in ${namespace}`);
    await until(`Job ${name} gone`, async () => ((await jobExists(namespace, name)) ? undefined : true));
  });

  /**
   * The packaged CLI on a real pseudo-terminal (Python's pty module), answering its question with
   * `answer` once it is asked.
   */
  async function onTerminal(args: string[], cwd: string, answer: string) {
    const child = spawn(
      "python3",
      [
        "-c",
        "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
        process.execPath,
        path.join(repoRoot, "bin", "parity.js"),
        ...args,
      ],
      { cwd, env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let output = "";
    let answered = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && output.includes("anything else keeps it")) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, output: output.replace(/\r/g, "") };
  }

  it("in an ordinary namespace deletes without --confirm", async () => {
    const namespace = await freshNamespace(admin, "del-dev");
    const { workspaceDir, name } = await recordedClusterRun(
      cluster.kubeconfigs.admin,
      namespace,
      "plain-cli-1",
    );
    const deleted = await runCli(["delete", "plain-cli-1"], { cwd: workspaceDir, env });
    expect(deleted.code, deleted.err.join("\n")).toBe(0);
    await until(`Job ${name} gone`, async () => ((await jobExists(namespace, name)) ? undefined : true));
  });
});

describe("Ctrl-C in parity run --target cluster", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let profile = "";
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfigs.admin };

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
    registry = await startRegistry();
    workspace = await copyWorkspace("test/fixtures/workspaces/sleeper");
    profile = (await readFile(path.join(workspace.dir, "parity.yaml"), "utf8")).replace(
      '  python: "3.11"\n',
      `  python: "3.11"\n  registry: ${registry.host}/team\n`,
    );
  }, BUILD_TIMEOUT);
  afterAll(async () => {
    await workspace?.remove();
    await registry?.stop();
  });

  /**
   * parity run in a child process, interrupted (one SIGINT) once the workload's pods run. The
   * profile does not protect the namespace (its default would): only the namespace's label does.
   */
  async function interruptedRun(namespace: string) {
    await writeFile(
      path.join(workspace.dir, "parity.yaml"),
      `${profile}cluster:\n  namespace: ${namespace}\n  protected: false\n  distributed: { kind: PyTorchJob, workers: 1 }\n`,
    );
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin", "parity.js"), "run", "sleep.ipynb", "--target", "cluster", "--no-report"],
      { cwd: workspace.dir, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const started = await until(
      "parity run to submit its workload",
      async () => /Running (\S+) on the cluster as PyTorchJob [^/\s]+\/(\S+)/.exec(stdout) ?? undefined,
      BUILD_TIMEOUT - 60_000,
    );
    const [, runId, name] = started as unknown as [string, string, string];
    await until(`the pods of ${runId} Running`, async () => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `parity.dev/run=${runId}` });
      return pods.items.length > 0 && pods.items.every((pod) => pod.status?.phase === "Running")
        ? true
        : undefined;
    });
    child.kill("SIGINT");
    const code = await exited;
    return { code, stdout, stderr, runId, name };
  }

  const pytorchJobExists = async (namespace: string, name: string) =>
    (
      (await custom.listNamespacedCustomObject({
        group: "kubeflow.org",
        version: "v1",
        namespace,
        plural: "pytorchjobs",
      })) as { items: { metadata: { name: string } }[] }
    ).items.some((item) => item.metadata.name === name);

  it(
    "in a protected namespace leaves the workload running, its record live, and prints the parity delete line",
    async () => {
      const namespace = await protectedNamespace(admin, "sigint-prod");
      const run = await interruptedRun(namespace);
      expect(run.code, run.stderr).toBe(130);
      expect(run.stderr).toContain(`parity delete ${run.runId} --confirm ${run.name}`);
      expect(await pytorchJobExists(namespace, run.name)).toBe(true);
      const record = await readRecord(workspace.dir, run.runId);
      expect(["pending", "running"]).toContain(record.status);

      // The line it printed deletes it.
      const deleted = await runCli(["delete", run.runId, "--confirm", run.name], { cwd: workspace.dir, env });
      expect(deleted.code, deleted.err.join("\n")).toBe(0);
      await until(`PyTorchJob ${run.name} gone`, async () =>
        (await pytorchJobExists(namespace, run.name)) ? undefined : true,
      );
      expect((await readRecord(workspace.dir, run.runId)).status).toBe("cancelled");
    },
    BUILD_TIMEOUT,
  );

  it(
    "in an ordinary namespace deletes the workload and records the run cancelled",
    async () => {
      const namespace = await freshNamespace(admin, "sigint-dev");
      const run = await interruptedRun(namespace);
      expect(run.code, run.stderr).toBe(130);
      expect(run.stderr).not.toContain("parity delete");
      await until(`PyTorchJob ${run.name} gone`, async () =>
        (await pytorchJobExists(namespace, run.name)) ? undefined : true,
      );
      expect((await readRecord(workspace.dir, run.runId)).status).toBe("cancelled");
    },
    BUILD_TIMEOUT,
  );
});
