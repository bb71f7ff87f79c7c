import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Emitter } from "../../src/core/events";
import type { LocalJobSpec, LogLine, RunResult, RunStatus } from "../../src/core/job/types";
import { convertNotebook } from "../../src/core/notebook";
import { defaultBaseImage, parseProfile } from "../../src/core/profile";
import { connectDocker, type DockerConnection } from "../../src/targets/docker/connection";
import { runLocalJob } from "../../src/targets/docker/localRun";

// A local run of a profile that asks for a GPU and names production's (resources.gpu: 1,
// resources.gpuProduct), on this Docker engine, which has no NVIDIA runtime: the container cannot
// get the GPU, so the job runs without one, its runtime says in the run's log which GPU checks were
// skipped, and the record says the run had no GPU. Nothing mocked; the base image is Parity's own
// (scripts/ensure-base-image.sh), run as is, with no build.
const TIMEOUT = 120_000;
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const PROFILE = `apiVersion: parity.dev/v1
kind: Profile
resources:
  memory: 256Mi
  cpu: "1"
  gpu: 1
  gpuProduct: NVIDIA-A100-SXM4-40GB
`;

async function runWithProductionGpu(
  connection: DockerConnection,
): Promise<{ result: RunResult; lines: LogLine[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), "parity-gpu-limit-"));
  dirs.push(dir);
  await chmod(dir, 0o755);
  const notebook = { cells: [{ cell_type: "code", metadata: {}, source: "print('trained')", outputs: [] }] };
  const job = convertNotebook(
    JSON.stringify({ ...notebook, metadata: {}, nbformat: 4, nbformat_minor: 5 }),
    "train.ipynb",
  );
  await writeFile(path.join(dir, "train.parity.py"), job.script);
  const spec: LocalJobSpec = {
    name: "train",
    notebookFile: path.join(dir, "train.ipynb"),
    workspaceDir: dir,
    workingDir: "",
    outputsDir: path.join(dir, "outputs"),
    image: defaultBaseImage(),
    command: ["python3", "/workspace/train.parity.py"],
    env: {},
    limits: parseProfile(PROFILE, path.join(dir, "parity.yaml")).limits,
    folders: { workspace: dir, outputs: path.join(dir, "outputs"), outputsInsideProject: true, notes: [] },
  };
  const lines: LogLine[] = [];
  let saved: RunResult | undefined;
  const recorder = {
    log: (line: LogLine) => void lines.push(line),
    save: async (result: RunResult) => void (saved = result),
    close: async () => undefined,
  };
  const result = await runLocalJob(connection, spec, `gpu-limit-${process.pid}`, recorder, {
    cancel: new AbortController().signal,
    status: new Emitter<RunStatus>(),
    logs: new Emitter<LogLine>(),
  });
  expect(saved).toEqual(result);
  return { result, lines };
}

describe("production's GPU on a Docker engine without an NVIDIA runtime", () => {
  it(
    "runs the notebook without a GPU, says which GPU checks were skipped, and records that it had no GPU",
    async (context) => {
      const connection = await connectDocker();
      const { Runtimes: runtimes } = (await connection.docker.info()) as {
        Runtimes?: Record<string, unknown>;
      };
      // What this test is about: an engine where a GPU container cannot start.
      context.skip(
        "nvidia" in (runtimes ?? {}),
        "this Docker engine has an NVIDIA runtime: its runs get a GPU",
      );
      const { result, lines } = await runWithProductionGpu(connection);
      expect(result.status).toBe("succeeded");
      expect(lines.map((line) => `${line.stream} ${line.text}`)).toEqual([
        'stdout Parity: no GPU is visible to this run, so its GPU checks were skipped: production\'s NVIDIA-A100-SXM4-40GB (40.0 GiB) memory limit for PyTorch, TensorFlow and JAX, and CUDA itself (running out of GPU memory, "no kernel image", NCCL): these failures of production cannot show here.',
        "stdout trained",
      ]);
      expect(result.diagnosis).toEqual([
        {
          code: "RanWithoutGpu",
          severity: "warning",
          message:
            'The run had no GPU: the profile asks for 1, but this Docker engine has no NVIDIA runtime, so its GPU checks were skipped (production\'s NVIDIA-A100-SXM4-40GB memory limit (40 GiB), running out of GPU memory, "no kernel image", NCCL).',
          fix: "Install the NVIDIA Container Toolkit on this machine and restart Docker to run with a GPU locally; the cluster target runs on production's GPUs.",
        },
      ]);
    },
    TIMEOUT,
  );
});
