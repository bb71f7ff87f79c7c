import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadJob } from "../../src/app/job/load";
import type { BuildResult } from "../../src/targets/docker/buildImage";
import { connectDocker } from "../../src/targets/docker/connection";
import { notebookJson, repoRoot } from "./helpers/workspace";

// Builds of one tag from several processes, against the real engine: five runs of one notebook
// started together built its image three times.
const TIMEOUT = 600_000;
/** A pid no process has: above Linux's pid_max. */
const GONE_PID = 2 ** 22 + 1;

/** `parity build --json` as a separate process, as a user's terminals run it. */
function buildProcess(cwd: string): Promise<{ code: number | null; result?: BuildResult; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin", "parity.js"), "build", "job.ipynb", "--json"],
      {
        cwd,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => {
      const last = stdout.trim().split("\n").at(-1);
      resolve({ code, result: last ? (JSON.parse(last) as BuildResult) : undefined, stderr });
    });
  });
}

describe("builds of one image from several processes", () => {
  let dir: string;
  const tags: string[] = [];

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["esbuild.mjs"], { cwd: repoRoot });
    dir = await mkdtemp(path.join(tmpdir(), "parity-build-lock-"));
    await chmod(dir, 0o755);
    await writeFile(
      path.join(dir, "parity.yaml"),
      "apiVersion: parity.dev/v1\nkind: Profile\nname: fixture-build-lock\nimage: { base: parity/python:3.11-bookworm, python: '3.11' }\n",
    );
  }, 120_000);
  afterAll(async () => {
    const { docker } = await connectDocker();
    for (const tag of tags)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  /** A notebook no image was built for yet: its tag is new. */
  async function freshNotebook(): Promise<string> {
    const token = randomBytes(8).toString("hex");
    await writeFile(path.join(dir, "job.ipynb"), notebookJson([[`print("${token}")`]]));
    const { docker } = await connectDocker();
    // As the CLI computes it: the base image's id is part of the tag.
    const baseImageId = async (base: string) => (await docker.getImage(base).inspect()).Id;
    const { plan } = await loadJob("job.ipynb", { cwd: dir, baseImageId });
    tags.push(plan.tag);
    return plan.tag;
  }

  it(
    "build it once: the others wait for it, then find it built",
    async () => {
      const tag = await freshNotebook();
      const builds = await Promise.all(Array.from({ length: 5 }, () => buildProcess(dir)));

      for (const build of builds) expect(build.code, build.stderr).toBe(0);
      expect(builds.map((build) => build.result?.tag)).toEqual(Array(5).fill(tag));
      expect(builds.filter((build) => build.result?.upToDate === false)).toHaveLength(1);
      expect(builds.some((build) => build.stderr.includes(`, which is building ${tag} ...`))).toBe(true);
      // Every lock is given back.
      expect(await readdir(path.join(dir, ".parity", "builds"))).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "take over a lock left by a process that went away",
    async () => {
      const tag = await freshNotebook();
      const locks = path.join(dir, ".parity", "builds");
      await mkdir(locks, { recursive: true });
      await writeFile(
        path.join(locks, `${tag.replace(/[^A-Za-z0-9_.-]/g, "_")}.lock`),
        JSON.stringify({ pid: GONE_PID, host: hostname() }),
      );
      const build = await buildProcess(dir);
      expect(build.code, build.stderr).toBe(0);
      expect(build.result).toMatchObject({ tag, upToDate: false });
      expect(build.stderr).not.toContain("Waiting for process");
      expect(await readdir(locks)).toEqual([]);
    },
    TIMEOUT,
  );
});
