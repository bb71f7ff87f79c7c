import { existsSync, statSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type Dockerode from "dockerode";
import { baseImageCachePath, defaultBaseImageTag, defaultCacheDir } from "../../src/targets/docker/baseImage";
import { connectDocker } from "../../src/targets/docker/connection";
import { runToEnd } from "./helpers/containers";
import { runCli } from "./helpers/workspace";

const TAG = defaultBaseImageTag();

const parity = (args: string[]) => runCli(args, { cwd: process.cwd() });

/** Runs a Python script in a throwaway container of the base image, without network. */
async function runPython(docker: Dockerode, script: string): Promise<{ status: number; output: string }> {
  return runToEnd(docker, {
    Image: TAG,
    Cmd: ["python3", "-c", script],
    HostConfig: { NetworkMode: "none" },
  });
}

const PROBE = `
import subprocess, sys
assert sys.version_info[:2] == (3, 11), sys.version
subprocess.run([sys.executable, "-m", "pip", "--version"], check=True)
subprocess.run([sys.executable, "-m", "venv", "/tmp/venv"], check=True)
subprocess.run(["/tmp/venv/bin/python", "-m", "pip", "--version"], check=True)
print("python", sys.version.split()[0])
`;

describe("parity base-image (real Docker engine)", () => {
  let docker: Dockerode;
  const cachePath = baseImageCachePath(defaultCacheDir(process.env), "bookworm");

  beforeAll(async () => {
    docker = (await connectDocker()).docker;
    const first = await parity(["base-image", "--if-missing"]);
    expect(first.code, first.err.join("\n")).toBe(0);
    // The image may predate this cache folder; then make it again so that the cache gets written.
    if (!existsSync(cachePath)) {
      const again = await parity(["base-image"]);
      expect(again.code, again.err.join("\n")).toBe(0);
    }
  });

  it("makes the tagged image, labelled as a local Debian build", async () => {
    const image = await docker.getImage(TAG).inspect();
    expect(image.Config.Labels?.["dev.parity.base"]).toBe("debian-bookworm-debootstrap");
    expect(image.Config.Labels?.["dev.parity.python"]).toMatch(/^3\.11\./);
    expect(image.Config.Cmd).toEqual(["python3"]);
    expect(image.Config.Env).toContain("LANG=C.UTF-8");
  });

  it("has Python 3.11 with pip and venv", { timeout: 90_000 }, async () => {
    const { status, output } = await runPython(docker, PROBE);
    expect(status, output).toBe(0);
    expect(output).toMatch(/^pip \d+/m);
    expect(output).toMatch(/^python 3\.11\.\d+$/m);
  });

  it("keeps the root filesystem tarball in the cache", () => {
    expect(existsSync(cachePath)).toBe(true);
    expect(statSync(cachePath).size).toBeGreaterThan(50 * 1024 * 1024);
    expect(existsSync(cachePath.replace(/\.tar$/, ".json"))).toBe(true);
  });

  it("does nothing, quickly, when the image exists and --if-missing is given", async () => {
    const before = (await docker.getImage(TAG).inspect()).Id;
    const started = Date.now();
    const result = await parity(["base-image", "--if-missing"]);
    const elapsed = Date.now() - started;
    expect(result.code, result.err.join("\n")).toBe(0);
    expect(result.err.join("\n")).toContain("already exists");
    expect(result.out).toEqual([`${TAG} ${before}`]);
    expect(elapsed).toBeLessThan(5_000);
    expect((await docker.getImage(TAG).inspect()).Id).toBe(before);
  });
});
