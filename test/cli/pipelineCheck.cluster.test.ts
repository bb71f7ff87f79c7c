import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/core/diagnosis/types";
import { freshNamespace, kubeConfig, useCluster } from "../cluster/harness/context";
import { copyWorkspace, lastJson, runCli } from "../integration/helpers/workspace";

// `parity pipeline check --target cluster` against the real control plane (test/cluster): each step's
// pod predicted against kwok's fake nodes (the largest has 8 GPUs), and the user's permissions for
// a Workflow (the admin may; the restricted user may not create Workflows).
const cluster = useCluster();

interface CheckJson {
  schedulable: boolean;
  allowed: boolean;
  missing: string[];
  steps: { name: string; schedulable: boolean; problems: Diagnosis[]; fits: { nodes: string[] }[] }[];
}

describe("parity pipeline check --target cluster", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let namespace = "";
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfigs.admin });

  beforeAll(async () => {
    workspace = await copyWorkspace("test/fixtures/workspaces/yaml-pipeline");
    namespace = await freshNamespace(kubeConfig(cluster.kubeconfigs.admin), "pipecheck");
    const profile = await readFile(path.join(workspace.dir, "parity.yaml"), "utf8");
    await writeFile(
      path.join(workspace.dir, "parity.yaml"),
      `${profile}cluster:\n  namespace: ${namespace}\n`,
    );
    // The square step asks for more GPUs than any node has.
    const pipeline = await readFile(path.join(workspace.dir, "pipeline.yaml"), "utf8");
    await writeFile(
      path.join(workspace.dir, "gpu.yaml"),
      pipeline.replace(
        "    resources:\n      memory: 128Mi",
        "    resources:\n      memory: 128Mi\n      gpu: 16",
      ),
    );
  });
  afterAll(async () => {
    await workspace?.remove();
  });

  it("says each step would schedule, and that the user may run it as a Workflow", async () => {
    const result = await runCli(["pipeline", "check", "pipeline.yaml", "--target", "cluster"], {
      cwd: workspace.dir,
      env: env(),
    });
    expect(result.code, [...result.out, ...result.err].join("\n")).toBe(0);
    const text = result.out.join("\n");
    for (const step of ["prepare", "square", "report"])
      expect(text).toMatch(new RegExp(`✓ ${step}: would schedule on `));
    expect(text).toContain(`✓ Allowed to run it as a Workflow in ${namespace}`);
  });

  it("names the step that would stay Pending, with the cluster's reason and fix, and exits 1", async () => {
    const result = await runCli(["pipeline", "check", "gpu.yaml", "--target", "cluster", "--json"], {
      cwd: workspace.dir,
      env: env(),
    });
    expect(result.code).toBe(1);
    const check = lastJson<CheckJson>(result);
    expect(check.schedulable).toBe(false);
    expect(check.steps.map((step) => [step.name, step.schedulable])).toEqual([
      ["prepare", true],
      ["square", false],
      ["report", true],
    ]);
    const gpu = check.steps[1]!.problems.find((problem) => problem.code === "InsufficientGpu");
    expect(gpu?.message).toMatch(/16 GPUs/);
  });

  it("says which permissions a restricted user lacks to run it as a Workflow", async () => {
    const result = await runCli(["pipeline", "check", "pipeline.yaml", "--target", "cluster", "--json"], {
      cwd: workspace.dir,
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigs.restricted },
    });
    const check = lastJson<CheckJson>(result);
    expect(result.code).toBe(1);
    expect(check.allowed).toBe(false);
    expect(check.missing.join("\n")).toMatch(/workflows/);
    // In words: what it could not read (the nodes) is said once, not for each of the three steps.
    const text = await runCli(["pipeline", "check", "pipeline.yaml", "--target", "cluster"], {
      cwd: workspace.dir,
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigs.restricted },
    });
    const said = text.out.join("\n").split("\n");
    const unread = said.filter((line) => line.startsWith("! ") && !/^! \S+: /.test(line));
    expect(unread.length).toBeGreaterThan(0);
    expect(new Set(unread).size).toBe(unread.length);
    expect(
      said.filter((line) =>
        /^! (prepare|square|report): no problem found, but no node could be read/.test(line),
      ),
    ).toHaveLength(3);
  });
});
