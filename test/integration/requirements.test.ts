import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { connectDocker } from "../../src/targets/docker/connection";
import { lastJson, notebookJson, runCli } from "./helpers/workspace";

// Against the real Docker engine and the base image's own pip (Debian's 23.0.1): the packages come
// from wheels made here, from a --find-links folder of the project and from a package index served
// on loopback, so no package is fetched from outside.
const BUILD_TIMEOUT = 600_000;
const suffix = randomBytes(3).toString("hex");
const ALPHA = `parity-fixture-alpha-${suffix}`;
const BETA = `parity-fixture-beta-${suffix}`;
const profileName = `requirements-${suffix}`;

/** A pure-Python wheel whose module holds VALUE; written by Python's zipfile, as a wheel is a zip. */
async function makeWheel(dir: string, name: string, value: number): Promise<string> {
  const script = `
import sys, zipfile
out, name, value = sys.argv[1], sys.argv[2], sys.argv[3]
module, dist = name.replace("-", "_"), name.replace("-", "_") + "-1.0"
wheel = f"{out}/{dist}-py3-none-any.whl"
files = {
    f"{module}/__init__.py": f"VALUE = {value}\\n",
    f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0\\n",
    f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: parity-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
files[f"{dist}.dist-info/RECORD"] = "".join(f"{path},,\\n" for path in [*files, f"{dist}.dist-info/RECORD"])
with zipfile.ZipFile(wheel, "w") as archive:
    for path, text in files.items():
        archive.writestr(path, text)
print(wheel)
`;
  const { stdout } = await promisify(execFile)("python3", ["-c", script, dir, name, String(value)]);
  return stdout.trim();
}

/** A PEP 503 index on loopback holding one wheel; counts what pip asks of it. */
async function serveIndex(
  wheel: string,
  name: string,
): Promise<{ url: string; asked: string[]; server: Server }> {
  const content = await readFile(wheel);
  const file = path.basename(wheel);
  const sha = createHash("sha256").update(content).digest("hex");
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(request.url ?? "");
    if (request.url === `/simple/${name}/`) {
      response.setHeader("content-type", "text/html");
      response.end(`<html><body><a href="/files/${file}#sha256=${sha}">${file}</a></body></html>`);
    } else if (request.url === `/files/${file}`) response.end(content);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`, asked, server };
}

function notebook(source: string): string {
  return notebookJson([source]);
}

const PROFILE = `apiVersion: parity.dev/v1
kind: Profile
name: ${profileName}
image:
  base: parity/python:3.11-bookworm
  python: "3.11"
  requirements: requirements.txt
resources: { memory: 256Mi, cpu: "1", gpu: 0, shm: 64Mi }
build:
  caCertificates: system
  # The build's pip reaches the index served on this machine's loopback.
  network: host
`;

describe("requirements as pip reads them, in a real image build", () => {
  let dir: string;
  let index: Awaited<ReturnType<typeof serveIndex>>;
  const images: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "parity-requirements-"));
    await chmod(dir, 0o755);
    await mkdir(path.join(dir, "deps"));
    await mkdir(path.join(dir, "wheels"));
    await mkdir(path.join(dir, "served"));
    await makeWheel(path.join(dir, "wheels"), ALPHA, 1);
    index = await serveIndex(await makeWheel(path.join(dir, "served"), BETA, 2), BETA);
    await writeFile(path.join(dir, "parity.yaml"), PROFILE);
    await writeFile(
      path.join(dir, "nb.ipynb"),
      notebook(
        `import ${ALPHA.replaceAll("-", "_")} as alpha, ${BETA.replaceAll("-", "_")} as beta\nprint("alpha", alpha.VALUE, "beta", beta.VALUE)`,
      ),
    );
  });
  afterAll(async () => {
    index?.server.close();
    const { docker } = await connectDocker();
    for (const image of images)
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    "installs a package only an -r file names, from its --find-links folder, and one from an --extra-index-url",
    async () => {
      await writeFile(path.join(dir, "requirements.txt"), `# the project's\n-r deps/base.txt\n`);
      await writeFile(
        path.join(dir, "deps", "base.txt"),
        // --find-links is relative to this file, as pip reads it; the index only pip's own request reaches.
        `--find-links ../wheels\n--extra-index-url ${index.url}\n${ALPHA}==1.0\n${BETA}==1.0\n`,
      );
      const result = await runCli(["run", "nb.ipynb", "--json", "--no-report"], { cwd: dir });
      const run = lastJson<RunResult>(result);
      if (run?.image) images.push(run.image);
      expect(result.code, result.err.slice(-30).join("\n")).toBe(0);
      expect(run.status).toBe("succeeded");
      expect(result.err).toContain("  │ alpha 1 beta 2");
      expect(index.asked).toContain(`/simple/${BETA}/`);
    },
    BUILD_TIMEOUT,
  );

  it(
    "fails with pip's own line, without -v, when an included file asks for a version that does not exist",
    async () => {
      await writeFile(
        path.join(dir, "deps", "base.txt"),
        `--no-index\n--find-links ../wheels\n${ALPHA}==9.9\n`,
      );
      const result = await runCli(["build", "nb.ipynb"], { cwd: dir });
      expect(result.code).toBe(1);
      const text = result.err.join("\n");
      expect(text).toContain(`ERROR: Could not find a version that satisfies the requirement ${ALPHA}==9.9`);
      expect(text).not.toContain("Traceback");
    },
    BUILD_TIMEOUT,
  );

  it("refuses an invalid line of an included file before building, naming the file and line", async () => {
    await writeFile(path.join(dir, "deps", "base.txt"), `${ALPHA}==1.0\nnumpy; rm -rf /\n`);
    const result = await runCli(["build", "nb.ipynb"], { cwd: dir });
    expect(result.code).toBe(1);
    const text = result.err.join("\n");
    expect(text).toContain(
      `${path.join(dir, "deps", "base.txt")} line 2: the marker "rm" is not valid (at "rm")`,
    );
    expect(text).not.toContain("Step 1/");
  });
});
