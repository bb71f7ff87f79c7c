import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, "../../..");
let python: Promise<string> | undefined;

/** The python of the pinned kfp SDK's environment (test/kfp/harness/ensure-kfp.sh makes it once). */
export function kfpPython(): Promise<string> {
  python ??= run("bash", [path.join(repoRoot, "test/kfp/harness/ensure-kfp.sh")], {
    maxBuffer: 16 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split("\n").at(-1)!);
  return python;
}

/**
 * Compiles a fixture pipeline (test/fixtures/kfp/<name>.py, which compiles its pipeline to the path
 * given as its first argument, its components on `baseImage` when given) with the real kfp
 * compiler; returns the YAML file it wrote.
 */
export async function compileKfp(
  name: string,
  outDir = mkdtempSync(path.join(tmpdir(), "parity-kfp-")),
  baseImage?: string,
) {
  const file = path.join(outDir, `${name}.yaml`);
  const fixture = path.join(repoRoot, "test/fixtures/kfp", `${name}.py`);
  await run(await kfpPython(), [fixture, file, ...(baseImage ? [baseImage] : [])]);
  return { file, text: readFileSync(file, "utf8") };
}

/** Runs Python code with the kfp SDK (to check Parity's output with kfp's own parsers); returns stdout. */
export async function withKfp(code: string, input?: string): Promise<string> {
  const child = run(await kfpPython(), ["-c", code], { maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}
