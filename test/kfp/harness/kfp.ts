import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
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

/** The image the kfp fixtures' components run in: Parity's base image with a Python pip may install into. */
export const KFP_TEST_IMAGE = "parity-test/kfp-python:1";

/**
 * A folder for pipelines compiled by kfp, with a profile (`extra` lines added to it) and the
 * components' image built into the local engine. Debian's own Python refuses pip installs (PEP
 * 668), and so would KFP's runtime install in production: the image puts a virtual environment
 * first on PATH, as python:3.x images have.
 */
export async function kfpWorkspace(prefix: string, extra: string[] = []): Promise<string> {
  const dockerfile = [
    "FROM parity/python:3.11-bookworm",
    "RUN python3 -m venv /opt/python",
    "ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "",
  ].join("\n");
  const build = run("docker", ["build", "-q", "-t", KFP_TEST_IMAGE, "-"], { maxBuffer: 16 * 1024 * 1024 });
  build.child.stdin?.end(dockerfile);
  await build;
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  await writeFile(
    path.join(dir, "parity.yaml"),
    [
      "apiVersion: parity.dev/v1",
      "kind: Profile",
      "name: kfp-team",
      "resources:",
      "  memory: 512Mi",
      '  cpu: "1"',
      // pip reaches PyPI through this machine's TLS-intercepting proxy.
      "build:",
      "  caCertificates: system",
      ...extra,
      "",
    ].join("\n"),
  );
  return dir;
}
