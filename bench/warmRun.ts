// A warm `parity run` of a trivial notebook (its image built, its probes cached) against `docker run`
// of the same image with the same command and memory limit, in one run on the real Docker engine.
// Prints the median of several runs of each and their ratio. The aim: within 2x of docker run.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { benchProject, codeCell } from "./project";

const run = promisify(execFile);
const ROUNDS = 7;
const parity = path.resolve("bin/parity.js");

const dir = await benchProject("parity-bench-warm-", "hello.ipynb", [codeCell('print("hello")')], {
  name: `bench-warm-${process.pid}`,
  memory: "256Mi",
  cpu: "1",
});

async function seconds(command: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  await run(command, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

let image: string | undefined;
try {
  // The cold run builds the image and fills the probe cache; it is not measured.
  const { stdout } = await run(process.execPath, [parity, "run", "hello.ipynb", "--json"], { cwd: dir });
  image = (JSON.parse(stdout.trim().split("\n").at(-1)!) as { image: string }).image;
  const dockerArgs = ["run", "--rm", "--memory", "256m", "--memory-swap", "256m", image];
  const measured: Record<string, number[]> = {
    "docker run": [],
    "parity run": [],
    "parity run --no-report": [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    measured["docker run"]!.push(await seconds("docker", dockerArgs));
    measured["parity run"]!.push(await seconds(process.execPath, [parity, "run", "hello.ipynb"]));
    measured["parity run --no-report"]!.push(
      await seconds(process.execPath, [parity, "run", "hello.ipynb", "--no-report"]),
    );
  }
  const baseline = median(measured["docker run"]!);
  console.log(`bench: warm parity run vs docker run of the same image (${image}), median of ${ROUNDS}`);
  for (const [label, values] of Object.entries(measured)) {
    const value = median(values);
    console.log(
      `${label.padEnd(24)} ${value.toFixed(3).padStart(7)} s   ratio ${(value / baseline).toFixed(2)}x`,
    );
  }
} finally {
  if (image) await run("docker", ["rmi", "--force", image]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
