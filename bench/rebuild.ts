// How long a rebuild takes after a code-only edit of the notebook, against a cold build of the
// same image (every layer built afresh, requirements downloaded and installed), in one run on the
// real Docker engine. Usage: npm run bench [-- <notebook folder>] (default: examples/train)
import { cp, mkdtemp, readFile, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildImage } from "../src/targets/docker/buildImage";
import { connectDocker, pingDocker } from "../src/targets/docker/connection";
import { loadJob } from "../src/app/job/load";

const source = path.resolve(process.argv[2] ?? "examples/train");
const dir = await mkdtemp(path.join(tmpdir(), "parity-bench-"));
await chmod(dir, 0o755);
await cp(source, dir, {
  recursive: true,
  filter: (file) => ![".parity", "outputs"].includes(path.basename(file)),
});
const notebook = (await import("node:fs")).readdirSync(dir).find((file) => file.endsWith(".ipynb"));
if (!notebook) throw new Error(`no notebook in ${source}`);
const file = path.join(dir, notebook);

const connection = await connectDocker();
await pingDocker(connection);

async function timedBuild(label: string, noCache: boolean): Promise<number> {
  const job = await loadJob(file, { cwd: dir });
  const result = await buildImage({ docker: connection.docker, plan: job.plan, noCache });
  const seconds = result.durationMs / 1000;
  console.log(
    `${label.padEnd(28)} ${seconds.toFixed(2).padStart(8)} s  (${result.cachedSteps}/${result.totalSteps} steps from cache) ${result.tag}`,
  );
  return seconds;
}

try {
  console.log(
    `bench: rebuild after a code-only edit vs cold build — ${path.relative(process.cwd(), source)}`,
  );
  const cold = await timedBuild("cold build (no layer cache)", true);
  const text = JSON.parse(await readFile(file, "utf8")) as {
    cells: Array<{ cell_type: string; source: string[] }>;
  };
  text.cells
    .filter((cell) => cell.cell_type === "code")
    .at(-1)!
    .source.push(`\nprint("bench edit ${Date.now()}")`);
  await writeFile(file, JSON.stringify(text));
  const rebuild = await timedBuild("rebuild after code-only edit", false);
  console.log(
    `ratio rebuild/cold: ${(rebuild / cold).toFixed(3)} (${((rebuild / cold) * 100).toFixed(1)}% of the cold build)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
