import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseProbeOutput } from "../../../src/core/environment/parseProbeOutput";

const PROBE = fileURLToPath(new URL("../../../src/core/environment/probe.py", import.meta.url));
const site = mkdtempSync(join(tmpdir(), "parity-probe-jax-"));
afterAll(() => rmSync(site, { recursive: true, force: true }));

/**
 * A stand-in for jax 0.11 with its CUDA 13 plugin (the device machines' versions), written for this
 * test: jax's private re-export of the plugin's versions (jax._src.lib.cuda_versions) is gone, the
 * plugin's own module (jax_cuda13_plugin._versions) is there.
 */
function fakeJax(): void {
  const write = (file: string, text: string) => {
    mkdirSync(join(site, file, ".."), { recursive: true });
    writeFileSync(join(site, file), text);
  };
  write("jax/__init__.py", '__version__ = "0.11.2"\ndef default_backend():\n    return "gpu"\n');
  write("jax/_src/__init__.py", "");
  write("jax/_src/lib/__init__.py", "");
  write("jaxlib/__init__.py", '__version__ = "0.11.2"\n');
  write("jax_cuda13_plugin/__init__.py", "");
  write(
    "jax_cuda13_plugin/_versions.py",
    "def cuda_runtime_build_version():\n    return 13000\ndef cudnn_build_version():\n    return 91300\n",
  );
}

describe("the probe's JAX CUDA build", () => {
  it("is read from the CUDA plugin where jax no longer re-exports it", async () => {
    fakeJax();
    const { stdout } = await promisify(execFile)("python3", [PROBE], {
      env: { ...process.env, PYTHONPATH: site },
    });
    const environment = parseProbeOutput(stdout, "jax 0.11 stand-in");
    expect(environment.frameworks.jax).toMatchObject({ version: "0.11.2", cuda: "13.0", cudnn: "91300" });
  });
});
