import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, connect, load } from "../../src/app/job/session";
import { probeBuiltImage, probeLocalInterpreter } from "../../src/app/job/probes";
import type { SessionContext } from "../../src/app/context";
import type { DockerConnection } from "../../src/targets/docker/connection";
import { copyWorkspace } from "./helpers/workspace";

/** Now, for the engine's event filter: seconds since the epoch with their fraction. */
function engineNow(): string {
  return (Date.now() / 1000).toFixed(3);
}

/** Probe containers the engine created between `since` (engineNow) and now. */
async function probeContainersSince(connection: DockerConnection, since: string): Promise<number> {
  const stream = await connection.docker.getEvents({
    // The engine takes "seconds.fraction"; dockerode's types say number.
    since: since as unknown as number,
    until: engineNow() as unknown as number,
    filters: { type: ["container"], event: ["create"], label: ["dev.parity.probe=true"] },
  });
  const text = await new Promise<string>((resolve) => {
    let all = "";
    stream.on("data", (chunk: Buffer) => (all += chunk.toString()));
    stream.on("end", () => resolve(all));
  });
  return text.split("\n").filter((line) => line.trim()).length;
}

describe("probes are made once (real engine, real interpreter)", () => {
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  let context: SessionContext;
  let connection: DockerConnection;

  beforeAll(async () => {
    workspace = await copyWorkspace("test/fixtures/workspaces/whoami", "parity-probe-cache-");
    context = { env: process.env, cwd: workspace.dir, signal: new AbortController().signal };
    connection = await connect(context, () => undefined);
  });

  afterAll(async () => {
    await workspace.remove();
  });

  it("probes a built image once per image id: the second report starts no container", async () => {
    const job = await load(context, "whoami.ipynb", undefined, connection);
    const built = await build(context, connection, job, false, () => undefined);
    const first = await probeBuiltImage(context, connection, job, built.tag);
    const since = engineNow();
    const second = await probeBuiltImage(context, connection, job, built.tag);
    expect(second.distributions).toEqual(first.distributions);
    expect(second.python.version).toBe(first.python.version);
    expect(await probeContainersSince(connection, since)).toBe(0);

    // Other limits are another probe: the image reports what it sees under them.
    const tighter = {
      ...job,
      profile: { ...job.profile, limits: { ...job.profile.limits, memoryBytes: 96 * 1024 ** 2 } },
    };
    const again = engineNow();
    const under = await probeBuiltImage(context, connection, tighter, built.tag);
    expect(under.memory.limitBytes).toBe(96 * 1024 ** 2);
    expect(await probeContainersSince(connection, again)).toBe(1);
  }, 300_000);

  it("probes the interpreter again only when a folder it imports from changes", async () => {
    const job = await load(context, "whoami.ipynb", undefined, connection);
    // An interpreter that counts how often it is started, and a folder on its search path.
    const bin = path.join(workspace.dir, "bin");
    const site = path.join(workspace.dir, "site");
    const count = path.join(workspace.dir, "starts");
    await mkdir(bin);
    await mkdir(site);
    await writeFile(count, "");
    const python = path.join(bin, "python3");
    await writeFile(python, `#!/bin/sh\necho started >> "${count}"\nexec python3 "$@"\n`);
    await chmod(python, 0o755);
    const env = { ...process.env, PYTHONPATH: site };
    const withEnv = { ...context, env };
    const starts = async () => (await readFile(count, "utf8")).split("\n").filter(Boolean).length;

    const first = await probeLocalInterpreter(withEnv, job, python);
    expect(await starts()).toBe(1);
    const second = await probeLocalInterpreter(withEnv, job, python);
    expect(await starts()).toBe(1);
    expect(second.distributions).toEqual(first.distributions);

    // "pip install" into the search path: a new distribution's metadata folder appears.
    const info = path.join(site, "parity_probe_marker-1.2.3.dist-info");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await mkdir(info);
    await writeFile(
      path.join(info, "METADATA"),
      "Metadata-Version: 2.1\nName: parity-probe-marker\nVersion: 1.2.3\n",
    );
    const third = await probeLocalInterpreter(withEnv, job, python);
    expect(await starts()).toBe(2);
    expect(third.distributions["parity-probe-marker"]).toBe("1.2.3");

    // Another PYTHONPATH is another interpreter as far as imports go.
    await probeLocalInterpreter({ ...context, env: { ...process.env, PYTHONPATH: "" } }, job, python);
    expect(await starts()).toBe(3);
  }, 120_000);
});
