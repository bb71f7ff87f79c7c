// A pipeline of two independent 4-second steps and a join, run by `parity pipeline run` on the real
// Docker engine: the cold run's wall time against the sum of its steps' durations (side by side,
// it should be close to one step's time, not two), and a fully cached rerun against the cold run.
// Then the same shape compiled by kfp (bench/kfp/join.py), run by Parity and by kfp.local's
// DockerRunner (kfp 2.17.3 from PyPI, test/kfp/harness/ensure-kfp.sh), in the same image.
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { benchProject, codeCell } from "./project";

const run = promisify(execFile);
const parity = path.resolve("bin/parity.js");

const dir = await benchProject(
  "parity-bench-pipeline-",
  "join.ipynb",
  [
    codeCell("import time", ["imports"]),
    codeCell("time.sleep(4)\nleft = 1", ["step:left"]),
    codeCell("time.sleep(4)\nright = 2", ["step:right"]),
    codeCell("print(left + right)", ["step:join", "prev:left", "prev:right"]),
  ],
  { name: `bench-pipeline-${process.pid}`, memory: "256Mi", cpu: "0.5" },
);

interface Step {
  name: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
}

async function pipelineRun(): Promise<{ seconds: number; steps: Step[] }> {
  const started = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, [parity, "pipeline", "run", "join.ipynb", "--json"], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { status: string; steps: Step[] };
  if (result.status !== "succeeded") throw new Error(`the pipeline ${result.status}`);
  return { seconds, steps: result.steps };
}

try {
  // The image is built once first, so neither figure includes a build.
  await run(process.execPath, [parity, "build", "join.ipynb"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  const cold = await pipelineRun();
  const stepSeconds = cold.steps.map(
    (step) => (Date.parse(step.finishedAt!) - Date.parse(step.startedAt!)) / 1000,
  );
  const sum = stepSeconds.reduce((total, each) => total + each, 0);
  const warm = await pipelineRun();
  const cachedCount = warm.steps.filter((step) => step.status === "cached").length;
  console.log(`parity pipeline run, two independent 4 s steps and a join (cold, image built):`);
  console.log(
    `  wall time ${cold.seconds.toFixed(2)} s; the steps' durations add up to ${sum.toFixed(2)} s (${stepSeconds.map((each) => each.toFixed(2)).join(" + ")})`,
  );
  console.log(
    `  wall time / sum of steps: ${(cold.seconds / sum).toFixed(2)} (side by side: near one step's share, one by one: above 1)`,
  );
  console.log(
    `fully cached rerun: ${warm.seconds.toFixed(2)} s, ${cachedCount} of ${warm.steps.length} steps cached; cached / cold: ${(warm.seconds / cold.seconds).toFixed(2)}`,
  );
  await compareWithKfpLocal();
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * The KFP pipeline in an image whose Python pip may install into, with kfp installed (the image
 * Parity makes for a lightweight component), so that kfp.local's runtime install reaches no index.
 */
async function compareWithKfpLocal(): Promise<void> {
  const python = (await run("bash", ["test/kfp/harness/ensure-kfp.sh"])).stdout.trim().split("\n").at(-1)!;
  const script = path.resolve("bench/kfp/join.py");
  const base = "parity-bench/kfp-python:1";
  const build = run("docker", ["build", "-q", "-t", base, "-"]);
  build.child.stdin?.end(
    "FROM parity/python:3.11-bookworm\nRUN python3 -m venv /opt/python\nENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
  );
  await build;
  const kfpDir = await benchProject("parity-bench-kfp-", "unused.ipynb", [], {
    name: `bench-kfp-${process.pid}`,
    memory: "256Mi",
    cpu: "0.5",
    installsPackages: true,
  });
  try {
    const yaml = path.join(kfpDir, "join.yaml");
    const parityRun = async (...extra: string[]) => {
      const started = process.hrtime.bigint();
      const { stdout } = await run(
        process.execPath,
        [parity, "pipeline", "run", "join.yaml", "--json", ...extra],
        {
          cwd: kfpDir,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        status: string;
        steps: (Step & { runId: string })[];
      };
      if (result.status !== "succeeded") throw new Error(`the KFP pipeline ${result.status}`);
      return { seconds, steps: result.steps };
    };
    // Parity's image for the components (the base with kfp installed), then the pipeline on it.
    await run(python, [script, "compile", base, yaml]);
    const first = await parityRun();
    const record = JSON.parse(
      await readFile(path.join(kfpDir, ".parity", "runs", first.steps[0]!.runId, "run.json"), "utf8"),
    ) as { image: string };
    await run(python, [script, "compile", record.image, yaml]);
    await parityRun(); // builds nothing new but its own layer: not measured
    const measured = await parityRun("--no-cache");
    const sum = measured.steps
      .map((step) => (Date.parse(step.finishedAt!) - Date.parse(step.startedAt!)) / 1000)
      .reduce((total, each) => total + each, 0);
    const root = path.join(kfpDir, "kfp-local-root");
    const local = JSON.parse(
      (await run(python, [script, "local", record.image, root], { maxBuffer: 64 * 1024 * 1024 })).stdout
        .trim()
        .split("\n")
        .at(-1)!,
    ) as { seconds: number };
    console.log(`the same shape compiled by kfp 2.17.3, in ${record.image}:`);
    console.log(
      `  parity pipeline run --no-cache: ${measured.seconds.toFixed(2)} s (steps add up to ${sum.toFixed(2)} s)`,
    );
    console.log(
      `  kfp.local DockerRunner:         ${local.seconds.toFixed(2)} s; kfp.local / parity: ${(local.seconds / measured.seconds).toFixed(2)}`,
    );
  } finally {
    await rm(kfpDir, { recursive: true, force: true });
  }
}
