import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listRuns, readRunLogs } from "../../src/app/store";
import type { LogLine, RunResult } from "../../src/core/job/types";
import { TAGGED_OUTPUT_ENV } from "../../src/core/notebook/taggedOutput";
import { connectDocker } from "../../src/targets/docker/connection";
import { settleContainer } from "../../src/targets/docker/leftovers";
import { copyWorkspace, lastJson, runCli, type CliRun } from "./helpers/workspace";

// One ordered log and the real peak, against the real Docker engine (nothing mocked). Containers
// this file makes itself carry its own label, so that engineers sharing the engine are left alone.
const TIMEOUT = 600_000;
const MIB = 1024 * 1024;
const LABEL = `dev.parity.test.log-order-${process.pid}`;

const workspaces: Awaited<ReturnType<typeof copyWorkspace>>[] = [];
afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.remove()));
  const { docker } = await connectDocker();
  for (const container of await docker.listContainers({ all: true, filters: { label: [LABEL] } })) {
    await docker.getContainer(container.Id).remove({ force: true });
  }
});

/** A workspace of its own with one notebook of `cells` under a `memory` limit. */
async function workspaceWith(name: string, cells: string[], memory = "512Mi") {
  const workspace = await copyWorkspace("test/fixtures/workspaces/raises", "parity-log-order-");
  workspaces.push(workspace);
  await writeFile(
    path.join(workspace.dir, "parity.yaml"),
    [
      "apiVersion: parity.dev/v1",
      "kind: Profile",
      `name: i11-log-order-${name}`,
      "image:",
      "  base: parity/python:3.11-bookworm",
      '  python: "3.11"',
      "resources:",
      `  memory: ${memory}`,
      '  cpu: "2"',
      "  gpu: 0",
      "  shm: 64Mi",
      "",
    ].join("\n"),
  );
  const notebook = {
    cells: cells.map((source) => ({
      cell_type: "code",
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  await mkdir(workspace.dir, { recursive: true });
  await writeFile(path.join(workspace.dir, `${name}.ipynb`), JSON.stringify(notebook));
  return workspace;
}

async function runNotebook(name: string, cells: string[], memory?: string) {
  const workspace = await workspaceWith(name, cells, memory);
  const cli: CliRun = await runCli(["run", `${name}.ipynb`, "--json", "--no-report"], { cwd: workspace.dir });
  const result = lastJson<RunResult>(cli);
  const [stored] = await listRuns(workspace.dir);
  if (!stored) throw new Error(`no record:\n${cli.err.slice(-20).join("\n")}`);
  return { workspace, cli, result, lines: await readRunLogs(stored) };
}

const pairs = (lines: LogLine[]) => lines.map((line) => `${line.stream} ${line.text}`);

// Python writes both streams, at full speed, with lines started on one stream and ended after the
// other was written, and a program started from the notebook writes to stdout in between.
const INTERLEAVED = `
import sys
for i in range(30000):
    if i % 3 == 0:
        sys.stderr.write("err %d\\n" % i)
    elif i % 3 == 1:
        print("out", i)
    else:
        print("half", end="")
        sys.stderr.write("between %d\\n" % i)
        print(" done", i)
    if i % 10000 == 5000:
        _parity_sh("echo child %d" % i)
`;

function interleavedExpected(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 30000; i++) {
    if (i % 3 === 0) lines.push(`stderr err ${i}`);
    else if (i % 3 === 1) lines.push(`stdout out ${i}`);
    else lines.push(`stderr between ${i}`, `stdout half done ${i}`);
    if (i % 10000 === 5000) lines.push(`stdout child ${i}`);
  }
  return lines;
}

describe("one ordered log", () => {
  let image = "";
  let recorded: string[] = [];

  it(
    "records stdout and stderr lines written in turn at full speed in the exact order the notebook wrote them",
    async () => {
      // "!echo" in a cell is what _parity_sh runs; written as a call so the loop can use it.
      const { result, lines } = await runNotebook("interleaved", [`_ = None\n!true\n${INTERLEAVED}`]);
      expect(result.status).toBe("succeeded");
      image = result.image;
      recorded = pairs(lines);
      expect(recorded).toEqual(interleavedExpected());
      // Each line keeps the engine's time of its first piece, within the run.
      const [from, to] = [Date.parse(result.startedAt!) - 1000, Date.parse(result.finishedAt!) + 1000];
      expect(lines.every((line) => line.time >= from && line.time <= to)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "reads the same order back from a container whose follower went away (settling it)",
    async () => {
      expect(image).not.toBe("");
      const { docker } = await connectDocker();
      const container = await docker.createContainer({
        Image: image,
        Env: Object.entries(TAGGED_OUTPUT_ENV).map(([name, value]) => `${name}=${value}`),
        Labels: { [LABEL]: "settle" },
        HostConfig: { Memory: 512 * MIB, MemorySwap: 512 * MIB },
      });
      await container.start();
      const settled = await settleContainer(docker, container.id, { stop: false });
      expect(settled).toMatchObject({ exitCode: 0, oomKilled: false });
      expect(pairs(settled!.lines)).toEqual(recorded);
      expect(settled!.peak?.source).toBe("cgroup-v1");
    },
    TIMEOUT,
  );

  it(
    "puts the traceback last when a run prints 200,000 lines and then raises",
    async () => {
      const { result, lines } = await runNotebook("floods", [
        'for i in range(200000):\n    print("line", i)\nraise RuntimeError("after 200,000 lines")',
      ]);
      expect(result.status).toBe("failed");
      const body = lines.slice(0, 200000);
      expect(body.every((line, i) => line.stream === "stdout" && line.text === `line ${i}`)).toBe(true);
      const traceback = lines.slice(200000);
      expect(traceback[0]).toMatchObject({ stream: "stderr", text: "Traceback (most recent call last):" });
      expect(traceback.at(-1)).toMatchObject({ stream: "stderr", text: "RuntimeError: after 200,000 lines" });
      expect(traceback.every((line) => line.stream === "stderr")).toBe(true);
      expect(result.diagnosis[0]?.message).toContain("RuntimeError");
    },
    TIMEOUT,
  );
});

describe("the real peak", () => {
  it(
    "is at least the 200 MiB a run held for a tenth of a second, read from the kernel as it ended",
    async () => {
      const { result, cli } = await runNotebook("burst", [
        'import time\nheld = bytearray(200 * 1024 * 1024)\ntime.sleep(0.1)\ndel held\nprint("done")',
      ]);
      expect(result).toMatchObject({ status: "succeeded", peakMemorySource: "cgroup-v1" });
      expect(result.peakMemoryBytes).toBeGreaterThanOrEqual(200 * MIB);
      expect(result.peakMemoryBytes).toBeLessThan(512 * MIB);
      expect(cli.err.join("\n")).toMatch(
        /Memory: peak 2\d\d(\.\d)? MiB of the 512 MiB limit \(\d+%; the kernel's memory\.max_usage_in_bytes of its container\)/,
      );
    },
    TIMEOUT,
  );

  it(
    "of a trivial run is the kernel's, at least what its Python allocated, and far from the engine's first sample",
    async () => {
      const { result } = await runNotebook("trivial", [
        'import resource\nprint("max rss kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
      ]);
      expect(result).toMatchObject({ status: "succeeded", peakMemorySource: "cgroup-v1" });
      // The engine's stats reported 3.9 MiB for such a run: sampled before Python had even started.
      expect(result.peakMemoryBytes).toBeGreaterThan(4 * MIB);
      expect(result.peakMemoryBytes).toBeLessThan(512 * MIB);
    },
    TIMEOUT,
  );

  it(
    "is not measured when the run could not report it, and is the limit, said so, when it was OOM-killed",
    async () => {
      const silent = await runNotebook("silent", ['import os\nprint("bye", flush=True)\nos._exit(3)']);
      expect(silent.result).toMatchObject({ status: "failed", exitCode: 3 });
      expect(silent.result.peakMemoryBytes).toBeUndefined();
      expect(silent.result.peakMemorySource).toBeUndefined();
      expect(silent.cli.err).toContain("Memory: 512 MiB limit, peak not measured");
      expect(pairs(silent.lines)).toEqual(["stdout bye"]);

      const killed = await runNotebook(
        "oom",
        ["held = []\nwhile True:\n    held.append(bytearray(8 * 1024 * 1024))"],
        "128Mi",
      );
      expect(killed.result).toMatchObject({
        status: "failed",
        oomKilled: true,
        peakMemoryBytes: 128 * MIB,
        peakMemorySource: "oom-limit",
      });
      expect(killed.cli.err).toContain(
        "Memory: OOMKilled: reached the 128 MiB limit, so its peak is the limit it hit",
      );
    },
    TIMEOUT,
  );
});
