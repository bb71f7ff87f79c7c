import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/core/job/types";
import { connectDocker } from "../../src/targets/docker/connection";
import { copyWorkspace, lastJson, runCli } from "./helpers/workspace";

// Production images often have a user with uid 1000 already (jovyan in Jupyter images, ubuntu in
// Ubuntu's). Made here from the Debian base with the real engine: no registry is needed.
const BASE = "parity-test/uid1000:1";

async function buildTakenUidBase(): Promise<void> {
  const { docker } = await connectDocker();
  const tar = await import("tar-stream");
  const pack = tar.pack();
  pack.entry(
    { name: "Dockerfile" },
    "FROM parity/python:3.11-bookworm\nRUN useradd --create-home --uid 1000 jovyan\n",
  );
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: BASE });
  const output: Array<{ error?: string }> = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, result: Array<{ error?: string }>) =>
      error ? reject(error) : resolve(result),
    ),
  );
  const failure = output.find((message) => message.error);
  if (failure) throw new Error(`could not make ${BASE}: ${failure.error}`);
}

describe("a production base image whose uid 1000 is taken", () => {
  beforeAll(buildTakenUidBase, 300_000);

  it("builds and runs the job as that existing user, writing the outputs", async () => {
    const workspace = await copyWorkspace("test/fixtures/workspaces/whoami");
    try {
      const result = await runCli(["run", "whoami.ipynb", "--json", "--no-report"], { cwd: workspace.dir });
      const run = lastJson<RunResult>(result);
      expect(result.code, result.err.slice(-20).join("\n")).toBe(0);
      expect(run.status).toBe("succeeded");
      expect(result.err).toContain("  │ user: jovyan");
      expect(await readFile(path.join(workspace.dir, "outputs", "who.txt"), "utf8")).toBe("ok");
    } finally {
      await workspace.remove();
    }
  }, 300_000);
});
