import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import type { ParityReport } from "../../src/core/parity";
import type { BuildResult } from "../../src/targets/docker/buildImage";
import { connectDocker } from "../../src/targets/docker/connection";
import { RUN_LABEL } from "../../src/targets/docker/runLabels";
import { copyWorkspace, lastJson, runCli } from "./helpers/workspace";

// Against the real Docker engine that scripts/test.sh starts, with the base image made by
// `parity base-image` from Debian packages. Nothing here is mocked.
const BUILD_TIMEOUT = 600_000;

async function containersFor(label: string, value: string): Promise<string[]> {
  const { docker } = await connectDocker();
  const list = await docker.listContainers({ all: true, filters: { label: [`${label}=${value}`] } });
  return list.map((container) => container.Id);
}

describe("the training example on local Docker", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let run: RunResult;
  let stdout: string[];

  beforeAll(async () => {
    workspace = await copyWorkspace("examples/train");
    const result = await runCli(["run", "train.ipynb", "--json"], { cwd: workspace.dir });
    stdout = result.out;
    run = lastJson<RunResult>(result);
    expect(result.code, result.err.slice(-30).join("\n")).toBe(0);
  }, BUILD_TIMEOUT);
  afterAll(() => workspace?.remove());

  it("builds the production image and runs the notebook to success under the profile's limits", () => {
    expect(run).toMatchObject({ status: "succeeded", exitCode: 0, oomKilled: false, target: "local" });
    expect(run.image).toMatch(/^parity\/digits-train:[0-9a-f]{12}$/);
    expect(run.memoryLimitBytes).toBe(1024 ** 3);
    expect(run.diagnosis).toEqual([]);
    // --json: the result is the last line of stdout and the only one there.
    expect(stdout).toHaveLength(1);
  });

  it("writes the model into the outputs folder mounted read-write", async () => {
    const model = await readFile(path.join(workspace.dir, "outputs", "model.pkl"));
    expect(model.length).toBeGreaterThan(1000);
    expect(model[0]).toBe(0x80); // a pickle's protocol marker
  });

  it("keeps the logs after the container is gone, for parity logs", async () => {
    const logs = await runCli(["logs", run.runId], { cwd: workspace.dir });
    expect(logs.code).toBe(0);
    expect(logs.out).toContain("trained 50 trees on 1347 images");
    expect(logs.out.some((line) => /^test accuracy: 0\.\d{3}$/.test(line))).toBe(true);
    expect(await containersFor(RUN_LABEL, run.runId)).toEqual([]);
  });

  it("overrides a parameter with -p without rebuilding the image", async () => {
    const result = await runCli(["run", "train.ipynb", "-p", "n_estimators=5", "--json", "--no-report"], {
      cwd: workspace.dir,
    });
    const second = lastJson<RunResult>(result);
    expect(second.status).toBe("succeeded");
    expect(second.image).toBe(run.image);
    expect(result.err).toContain("  │ trained 5 trees on 1347 images");
  });

  it("refuses an unknown parameter before building anything", async () => {
    const result = await runCli(["run", "train.ipynb", "-p", "n_trees=5"], { cwd: workspace.dir });
    expect(result.code).toBe(1);
    expect(result.err.join("\n")).toMatch(/n_trees/);
    expect(result.err.join("\n")).toMatch(/n_estimators/);
  });

  it(
    "reuses the dependency layers after a code-only edit",
    async () => {
      const file = path.join(workspace.dir, "train.ipynb");
      const notebook = JSON.parse(await readFile(file, "utf8")) as { cells: Array<{ source: string[] }> };
      notebook.cells.at(-1)!.source.push('\nprint("edited")');
      await writeFile(file, JSON.stringify(notebook));
      const result = await runCli(["build", "train.ipynb", "--json"], { cwd: workspace.dir });
      expect(result.code, result.err.join("\n")).toBe(0);
      const build = lastJson<BuildResult>(result);
      expect(build.upToDate).toBe(false);
      expect(build.tag).not.toBe(run.image);
      const pip = build.steps.find((step) => step.instruction.includes("pip install"));
      const code = build.steps.find((step) => step.instruction.startsWith("COPY job/"));
      expect(pip?.cached).toBe(true);
      expect(code?.cached).toBe(false);
    },
    BUILD_TIMEOUT,
  );
});

describe("a notebook that needs more memory than production allows", () => {
  it(
    "is killed by the OOM killer at the 128 MiB limit, and says so",
    async () => {
      // A folder name with ":" and "," must not break the mounts.
      const workspace = await copyWorkspace("examples/memory", "parity test:1,a-");
      try {
        const result = await runCli(["run", "memory.ipynb", "--json", "--no-report"], { cwd: workspace.dir });
        const run = lastJson<RunResult>(result);
        expect(result.code).toBe(137);
        expect(run).toMatchObject({
          status: "failed",
          exitCode: 137,
          oomKilled: true,
          memoryLimitBytes: 128 * 1024 ** 2,
        });
        expect(run.diagnosis[0]?.code).toBe("OOMKilled");
        expect(run.diagnosis[0]?.message).toContain("at the 128 MiB memory limit, as production would be");
        expect(await containersFor(RUN_LABEL, run.runId)).toEqual([]);
      } finally {
        await workspace.remove();
      }
    },
    BUILD_TIMEOUT,
  );
});

describe("a notebook importing a package its requirements lack", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  beforeAll(async () => {
    workspace = await copyWorkspace("test/fixtures/workspaces/missing-dep");
  });
  afterAll(() => workspace?.remove());

  it("is flagged by check, which exits 1", async () => {
    const result = await runCli(["check", "analyze.ipynb", "--json"], { cwd: workspace.dir });
    expect(result.code).toBe(1);
    const report = lastJson<ParityReport>(result);
    const missing = report.items.find((item) => item.code === "ImportMissingRequirements");
    expect(missing?.message).toContain("imports yaml (from pyyaml)");
    expect(missing?.severity).toBe("error");
    expect(missing?.fix).toMatch(/pyyaml/i);
  });

  it(
    "fails run with the error mapped to the notebook's cell and line",
    async () => {
      const result = await runCli(["run", "analyze.ipynb", "--json", "--no-report"], { cwd: workspace.dir });
      const run = lastJson<RunResult>(result);
      expect(result.code).toBe(1);
      expect(run.status).toBe("failed");
      const [first] = run.diagnosis;
      expect(first?.code).toBe("ModuleNotFound");
      expect(first?.location).toMatchObject({ cell: 2, line: 2, source: "import yaml" });
      expect(first?.fix).toContain("Add pyyaml to requirements.txt");

      // stdout and stderr are kept apart in the recorded logs.
      const logs = await runCli(["logs", run.runId, "--json"], { cwd: workspace.dir });
      const lines = logs.out.map((line) => JSON.parse(line) as { stream: string; text: string });
      expect(lines.find((line) => line.text === "loading config")?.stream).toBe("stdout");
      expect(lines.find((line) => line.text.startsWith("ModuleNotFoundError"))?.stream).toBe("stderr");
    },
    BUILD_TIMEOUT,
  );
});

describe("a broken requirement", () => {
  it(
    "fails the build with pip's own message",
    async () => {
      const workspace = await copyWorkspace("test/fixtures/workspaces/broken-req");
      try {
        const result = await runCli(["run", "job.ipynb", "--json"], { cwd: workspace.dir });
        expect(result.code).toBe(1);
        // --json still ends with the result, explaining the failure in pip's own words.
        const run = lastJson<RunResult>(result);
        expect(run).toMatchObject({ status: "failed", exitCode: null, oomKilled: false });
        const [first] = run.diagnosis;
        expect(first?.code).toBe("DependencyInstallFailed");
        expect(first?.message).toMatch(
          /parity\.yaml:7 image\.requirements: Installing the requirements failed:\nERROR: .*\nERROR: No matching distribution found for parity-no-such-package-4a7f==0\.0\.1$/,
        );
        expect(first?.location?.file).toBe(path.join(workspace.dir, "parity.yaml"));
      } finally {
        await workspace.remove();
      }
    },
    BUILD_TIMEOUT,
  );
});

describe("cancelling a run", () => {
  it(
    "stops and removes the container",
    async () => {
      const workspace = await copyWorkspace("test/fixtures/workspaces/sleeper");
      const controller = new AbortController();
      try {
        const result = await runCli(["run", "sleep.ipynb", "--json", "--no-report"], {
          cwd: workspace.dir,
          signal: controller.signal,
          onErr: (line) => {
            if (line.includes("│ started")) controller.abort();
          },
        });
        const run = lastJson<RunResult>(result);
        expect(result.code).toBe(130);
        expect(run.status).toBe("cancelled");
        expect(run.diagnosis.map((item) => item.code)).toEqual(["Cancelled"]);
        expect(await containersFor(RUN_LABEL, run.runId)).toEqual([]);
        const notebook = path.join(workspace.dir, "sleep.ipynb");
        expect(await containersFor("dev.parity.notebook", notebook)).toEqual([]);
      } finally {
        await workspace.remove();
      }
    },
    BUILD_TIMEOUT,
  );
});
