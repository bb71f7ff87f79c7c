import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyWorkspace, runCli } from "./helpers/workspace";

// The engine is chosen as the docker CLI chooses it. The real engine's socket is reached through
// a symlink with another name, so the printed endpoint proves which setting was used.
describe("choosing the Docker engine", () => {
  let home: string;
  let socket: string;
  let workspace: Awaited<ReturnType<typeof copyWorkspace>>;
  const { DOCKER_HOST: _host, DOCKER_CONTEXT: _context, ...baseEnv } = process.env;

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), "parity-home-"));
    socket = path.join(home, "engine.sock");
    await symlink("/var/run/docker.sock", socket);
    const name = "parity-test";
    const meta = path.join(
      home,
      ".docker",
      "contexts",
      "meta",
      createHash("sha256").update(name).digest("hex"),
    );
    await mkdir(meta, { recursive: true });
    await writeFile(
      path.join(meta, "meta.json"),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: `unix://${socket}` } } }),
    );
    await writeFile(path.join(home, ".docker", "config.json"), JSON.stringify({ currentContext: name }));
    workspace = await copyWorkspace("examples/memory");
  });
  afterAll(async () => {
    await workspace?.remove();
    await rm(home, { recursive: true, force: true });
  });

  it("uses the active docker context", async () => {
    const result = await runCli(["check", "memory.ipynb"], {
      cwd: workspace.dir,
      env: { ...baseEnv, HOME: home },
    });
    expect(result.out).toContain(`Docker:   unix://${socket} (context parity-test)`);
  });

  it("lets DOCKER_HOST win over the context", async () => {
    const env = { ...baseEnv, HOME: home, DOCKER_HOST: "unix:///var/run/docker.sock" };
    const result = await runCli(["check", "memory.ipynb"], { cwd: workspace.dir, env });
    expect(result.out).toContain("Docker:   unix:///var/run/docker.sock (DOCKER_HOST)");
  });

  it("says clearly when no engine answers there", async () => {
    const env = { ...baseEnv, HOME: home, DOCKER_HOST: `unix://${home}/nothing.sock` };
    const result = await runCli(["run", "memory.ipynb"], { cwd: workspace.dir, env });
    expect(result.code).toBe(1);
    expect(result.err.join("\n")).toContain(
      `No Docker engine answers at unix://${home}/nothing.sock, the address in the DOCKER_HOST variable: no socket exists there.`,
    );
  });

  it.each([200, 404])(
    "says in one sentence that a web server answering with HTTP %i is not a Docker engine",
    async (status) => {
      const page = `<!DOCTYPE html><html><head><title>Welcome</title></head><body>${"<p>hello</p>".repeat(500)}</body></html>`;
      const server = createServer((_request, response) => {
        response.writeHead(status, { "content-type": "text/html" });
        response.end(page);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const env = { ...baseEnv, HOME: home, DOCKER_HOST: `tcp://127.0.0.1:${port}` };
        const result = await runCli(["run", "memory.ipynb"], { cwd: workspace.dir, env });
        expect(result.code).toBe(1);
        const error = result.err.join("\n");
        expect(error).toContain(
          `tcp://127.0.0.1:${port}, the address in the DOCKER_HOST variable, answered, but it is not a Docker engine.`,
        );
        expect(error).not.toMatch(/<html|<p>|DOCTYPE/i);
        expect(error.length).toBeLessThan(400);
      } finally {
        server.close();
      }
    },
  );
});
