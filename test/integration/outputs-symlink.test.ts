import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import type { BuildResult } from "../../src/targets/docker/buildImage";
import { connectDocker } from "../../src/targets/docker/connection";
import { lastJson, notebookJson, runCli } from "./helpers/workspace";

// An outputs folder reached through a symlink, against the real engine. Parity runs as root here,
// so before the fix it handed the folder the symlink led to (and its files) to the job's user.
const TIMEOUT = 300_000;

const NOTEBOOK = notebookJson([["open('lnk/sub/result.txt', 'w').write('written')\n", "print('done')"]]);

const cleanups: string[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(dir);
  // The job's non-root user must be able to read it, as it reads a user's ordinary folder.
  await chmod(dir, 0o755);
  return dir;
}

/** A project whose outputs are `lnk/sub`, with `lnk` a symlink to `target` (none without one). */
async function project(target: string | undefined, extra = ""): Promise<string> {
  const dir = await tempDir("parity-lnk-project-");
  await writeFile(
    path.join(dir, "parity.yaml"),
    [
      "apiVersion: parity.dev/v1",
      "kind: Profile",
      "name: fixture-outputs-symlink",
      "image:",
      "  base: parity/python:3.11-bookworm",
      '  python: "3.11"',
      "resources: { memory: 256Mi, cpu: '1', shm: 64Mi }",
      "outputs: lnk/sub",
      extra,
    ].join("\n"),
  );
  await writeFile(path.join(dir, "job.ipynb"), NOTEBOOK);
  if (target !== undefined) await symlink(target, path.join(dir, "lnk"));
  return dir;
}

/** A folder outside any project, with an earlier output in `sub`, all owned by root. */
async function outsideFolder(): Promise<string> {
  const outside = await tempDir("parity-lnk-outside-");
  await mkdir(path.join(outside, "sub"));
  await writeFile(path.join(outside, "sub", "old.txt"), "mine");
  return outside;
}

async function owners(...files: string[]): Promise<number[]> {
  return Promise.all(files.map(async (file) => (await stat(file)).uid));
}

describe("an outputs folder reached through a symlink", () => {
  it(
    "out of the project: refused with where it leads, before anything is created or changes owner",
    async () => {
      const outside = await outsideFolder();
      const dir = await project(outside);
      const sub = path.join(outside, "sub");
      const before = await owners(outside, sub, path.join(sub, "old.txt"));

      const result = await runCli(["run", "job.ipynb", "--no-report"], { cwd: dir });

      expect(result.code).toBe(1);
      const error = result.err.join("\n");
      expect(error).toContain(
        `The outputs folder lnk/sub leads through a symlink to ${sub}, outside the project`,
      );
      expect(error).toContain(`${path.join(dir, "parity.yaml")}:8`);
      expect(error).toContain("allowOutputsOutsideProject: true");
      expect(error).not.toMatch(/^\s+at /m);
      expect(await owners(outside, sub, path.join(sub, "old.txt"))).toEqual(before);
      expect(await readdir(sub)).toEqual(["old.txt"]);
      expect(await readdir(outside)).toEqual(["sub"]);
      // Refused before its record: no run is left saying it failed.
      expect(await readdir(dir)).not.toContain(".parity");
    },
    TIMEOUT,
  );

  it(
    "out of the project with the profile's opt-in: mounted, said so, and its owner left as it is",
    async () => {
      const outside = await outsideFolder();
      const sub = path.join(outside, "sub");
      // The owner stays root: the user lets the job's user write there themselves.
      await chmod(sub, 0o777);
      const dir = await project(outside, "allowOutputsOutsideProject: true");
      const before = await owners(outside, sub, path.join(sub, "old.txt"));

      const result = await runCli(["run", "job.ipynb", "--no-report", "--json"], { cwd: dir });

      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      const note = `outputs: lnk/sub leads through a symlink to ${sub} (outside the project, allowed by allowOutputsOutsideProject; its owner is left as it is)`;
      expect(result.err).toContain(note);
      expect(lastJson<RunResult>(result).notes).toEqual([note]);
      expect(await readFile(path.join(sub, "result.txt"), "utf8")).toBe("written");
      expect(await owners(outside, sub, path.join(sub, "old.txt"))).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    "inside the project: mounted where the profile names it, and said so",
    async () => {
      // Relative, as a symlink made inside a project usually is; data/sub is made by the run.
      const projectDir = await project("data");
      await mkdir(path.join(projectDir, "data"));

      const result = await runCli(["run", "job.ipynb", "--no-report", "--json"], { cwd: projectDir });

      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      const real = path.join(projectDir, "data", "sub");
      const note = `outputs: lnk/sub leads through a symlink to ${real} (inside the project)`;
      expect(result.err).toContain(note);
      expect(lastJson<RunResult>(result).notes).toEqual([note]);
      expect(await readFile(path.join(real, "result.txt"), "utf8")).toBe("written");
    },
    TIMEOUT,
  );

  it(
    "a symlink inside the outputs folder is handed over itself, never followed out of the project",
    async () => {
      const outside = await outsideFolder();
      const dir = await project(undefined);
      await mkdir(path.join(dir, "lnk", "sub"), { recursive: true });
      await symlink(outside, path.join(dir, "lnk", "sub", "escape"));
      const before = await owners(outside, path.join(outside, "sub"), path.join(outside, "sub", "old.txt"));

      const result = await runCli(["run", "job.ipynb", "--no-report"], { cwd: dir });

      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      expect(await owners(outside, path.join(outside, "sub"), path.join(outside, "sub", "old.txt"))).toEqual(
        before,
      );
    },
    TIMEOUT,
  );
});

describe("a .parity folder that is a symlink out of the project", () => {
  it(
    "is refused with where it leads: no build lock and no record is written there",
    async () => {
      const outside = await tempDir("parity-lnk-records-");
      const dir = await project(undefined);
      await mkdir(path.join(dir, "lnk", "sub"), { recursive: true });
      const refusal = async (folder: string): Promise<void> => {
        const result = await runCli(["run", "job.ipynb", "--no-report"], { cwd: dir });
        expect(result.code).toBe(1);
        const error = result.err.join("\n");
        expect(error).toContain(`parity: ${path.join(dir, ".parity", folder)}`);
        expect(error).toContain(`leads through a symlink to ${path.join(outside, folder)}`);
        expect(error).toContain("outside the project");
        expect(await readdir(outside)).toEqual([]);
      };

      // An image not built yet: its build lock would be the first thing written.
      await writeFile(path.join(dir, "job.ipynb"), NOTEBOOK.replace("done", `done ${Date.now()}`));
      await symlink(outside, path.join(dir, ".parity"));
      await refusal("builds");

      // The image built: the run's record would be.
      await rm(path.join(dir, ".parity"));
      const build = await runCli(["build", "job.ipynb", "--json"], { cwd: dir });
      expect(build.code).toBe(0);
      try {
        await rm(path.join(dir, ".parity"), { recursive: true });
        await symlink(outside, path.join(dir, ".parity"));
        await refusal("runs");
      } finally {
        // Built for this test alone (its notebook is unique).
        const { docker } = await connectDocker();
        await docker.getImage(lastJson<BuildResult>(build).tag).remove({ force: true });
      }
    },
    TIMEOUT,
  );
});
