import { failureOf } from "../../helpers/failures";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DOCKER_HOST_SETTING } from "../../../src/core/dockerHostSetting";
import { ParityError } from "../../../src/core/errors";
import {
  connectDocker,
  contextDirName,
  pingDocker,
  readFileIfExists,
  resolveDockerEndpoint,
} from "../../../src/targets/docker/connection";

let home: string;
const lookup = () => ({ homeDir: home, readFile: readFileIfExists });

function write(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

function addContext(name: string, endpoint: Record<string, unknown>, tls?: Record<string, string>): void {
  const id = contextDirName(name);
  write(
    join(home, ".docker/contexts/meta", id, "meta.json"),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }),
  );
  for (const [file, text] of Object.entries(tls ?? {})) {
    write(join(home, ".docker/contexts/tls", id, "docker", file), text);
  }
}

function useContext(name: string): void {
  write(join(home, ".docker/config.json"), JSON.stringify({ auths: {}, currentContext: name }));
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "parity-docker-home-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("resolveDockerEndpoint", () => {
  it("uses the default socket when nothing is configured", () => {
    expect(resolveDockerEndpoint({}, lookup())).toEqual({
      kind: "unix",
      socketPath: "/var/run/docker.sock",
      url: "unix:///var/run/docker.sock",
      source: "default",
    });
  });

  it("honours a unix DOCKER_HOST", () => {
    const endpoint = resolveDockerEndpoint({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, lookup());
    expect(endpoint).toMatchObject({
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
      source: "DOCKER_HOST",
    });
  });

  it("reads a plain tcp DOCKER_HOST with the conventional port", () => {
    expect(resolveDockerEndpoint({ DOCKER_HOST: "tcp://build-box" }, lookup())).toEqual({
      kind: "tcp",
      host: "build-box",
      port: 2375,
      url: "tcp://build-box:2375",
      source: "DOCKER_HOST",
    });
  });

  it("loads TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set", () => {
    const certs = join(home, "certs");
    write(join(certs, "ca.pem"), "CA");
    write(join(certs, "cert.pem"), "CERT");
    write(join(certs, "key.pem"), "KEY");
    const endpoint = resolveDockerEndpoint(
      { DOCKER_HOST: "tcp://10.0.0.5", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs },
      lookup(),
    );
    expect(endpoint).toMatchObject({
      kind: "tcp",
      port: 2376,
      tls: { ca: "CA", cert: "CERT", key: "KEY", verify: true },
    });
  });

  it("defaults the certificate folder to ~/.docker and requires its CA when verifying", () => {
    const error = failureOf(() =>
      resolveDockerEndpoint({ DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_TLS_VERIFY: "1" }, lookup()),
    );
    expect(error.code).toBe("DockerTlsCaMissing");
    expect(error.message).toContain(join(home, ".docker", "ca.pem"));
    expect(error.fix).toContain("DOCKER_CERT_PATH");
  });

  it("lets DOCKER_HOST win over DOCKER_CONTEXT and the current context", () => {
    addContext("remote", { Host: "tcp://remote:2375", SkipTLSVerify: false });
    useContext("remote");
    const endpoint = resolveDockerEndpoint(
      { DOCKER_HOST: "unix:///tmp/engine.sock", DOCKER_CONTEXT: "remote" },
      lookup(),
    );
    expect(endpoint).toMatchObject({ socketPath: "/tmp/engine.sock", source: "DOCKER_HOST" });
  });

  it("lets DOCKER_CONTEXT win over the config's current context", () => {
    addContext("a", { Host: "unix:///tmp/a.sock" });
    addContext("b", { Host: "unix:///tmp/b.sock" });
    useContext("a");
    expect(resolveDockerEndpoint({ DOCKER_CONTEXT: "b" }, lookup())).toMatchObject({
      socketPath: "/tmp/b.sock",
      source: "context b",
    });
    expect(resolveDockerEndpoint({}, lookup())).toMatchObject({
      socketPath: "/tmp/a.sock",
      source: "context a",
    });
  });

  it('treats the context named "default" as the default socket', () => {
    useContext("default");
    expect(resolveDockerEndpoint({}, lookup())).toMatchObject({ socketPath: "/var/run/docker.sock" });
  });

  it("reads a context's TLS material from its tls folder", () => {
    addContext(
      "secure",
      { Host: "tcp://secure.example:2376", SkipTLSVerify: false },
      {
        "ca.pem": "CA",
        "cert.pem": "CERT",
        "key.pem": "KEY",
      },
    );
    useContext("secure");
    expect(resolveDockerEndpoint({}, lookup())).toMatchObject({
      kind: "tcp",
      host: "secure.example",
      port: 2376,
      tls: { ca: "CA", cert: "CERT", key: "KEY", verify: true },
    });
  });

  it("uses TLS without verification for a context with SkipTLSVerify", () => {
    addContext("lab", { Host: "tcp://lab:2376", SkipTLSVerify: true });
    const endpoint = resolveDockerEndpoint({ DOCKER_CONTEXT: "lab" }, lookup());
    expect(endpoint).toMatchObject({ kind: "tcp", tls: { verify: false } });
  });

  it("uses plain tcp for a context without TLS material", () => {
    addContext("plain", { Host: "tcp://plain:2375", SkipTLSVerify: false });
    const endpoint = resolveDockerEndpoint({ DOCKER_CONTEXT: "plain" }, lookup());
    expect(endpoint).toMatchObject({ kind: "tcp", port: 2375 });
    expect(endpoint).not.toHaveProperty("tls");
  });

  it("honours DOCKER_CONFIG as the docker CLI's folder", () => {
    const config = join(home, "elsewhere");
    write(join(config, "config.json"), JSON.stringify({ currentContext: "x" }));
    write(
      join(config, "contexts/meta", contextDirName("x"), "meta.json"),
      JSON.stringify({ Endpoints: { docker: { Host: "unix:///tmp/x.sock" } } }),
    );
    expect(resolveDockerEndpoint({ DOCKER_CONFIG: config }, lookup())).toMatchObject({
      socketPath: "/tmp/x.sock",
    });
  });

  it("says which context is missing and how to list them", () => {
    const error = failureOf(() => resolveDockerEndpoint({ DOCKER_CONTEXT: "gone" }, lookup()));
    expect(error.code).toBe("DockerContextMissing");
    expect(error.message).toContain('"gone" (from DOCKER_CONTEXT)');
    expect(error.fix).toContain("docker context ls");
  });

  it("refuses ssh hosts with a way forward", () => {
    addContext("far", { Host: "ssh://me@far" });
    const error = failureOf(() => resolveDockerEndpoint({ DOCKER_CONTEXT: "far" }, lookup()));
    expect(error.code).toBe("DockerSshUnsupported");
    expect(error.message).toBe(
      "The Docker engine address ssh://me@far, the address of the docker context far, is reached over SSH, which Parity cannot do yet.",
    );
    expect(error.fix).toContain("ssh -NL /tmp/remote-docker.sock");
    expect(error.fix).toContain('"docker context use <name>"');
  });

  it("says an ssh address came from the front end's setting, and to change the setting, not DOCKER_HOST", () => {
    const env = { DOCKER_HOST: "ssh://me@far", [DOCKER_HOST_SETTING]: "parity.docker.host" };
    const error = failureOf(() => resolveDockerEndpoint(env, lookup()));
    expect(error.code).toBe("DockerSshUnsupported");
    expect(error.message).toContain("ssh://me@far, the address in the parity.docker.host setting,");
    expect(error.message).not.toContain("DOCKER_HOST");
    expect(error.fix).toContain("change the parity.docker.host setting to your engine's address");
    expect(error.fix).not.toContain("set DOCKER_HOST");
  });

  it("says an address it does not understand came from the front end's setting", () => {
    const env = { DOCKER_HOST: "fd://", [DOCKER_HOST_SETTING]: "parity.docker.host" };
    const error = failureOf(() => resolveDockerEndpoint(env, lookup()));
    expect(error.code).toBe("DockerHostUnsupported");
    expect(error.message).toBe(
      'The Docker engine address "fd://", the address in the parity.docker.host setting, is not one Parity understands.',
    );
    expect(error.fix).toContain("change the parity.docker.host setting");
  });

  it("names the broken config file", () => {
    write(join(home, ".docker/config.json"), "{ not json");
    const error = failureOf(() => resolveDockerEndpoint({}, lookup()));
    expect(error.code).toBe("DockerConfigInvalid");
    expect(error.location?.file).toBe(join(home, ".docker/config.json"));
  });

  it("rejects addresses it does not understand", () => {
    expect(failureOf(() => resolveDockerEndpoint({ DOCKER_HOST: "fd://" }, lookup())).code).toBe(
      "DockerHostUnsupported",
    );
  });
});

describe("connectDocker and pingDocker", () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  /** A stand-in engine; it keeps track of its connections so that the test can close them all. */
  function serve(onConnection: (socket: Socket) => void): Server {
    server = createServer((socket) => {
      sockets.add(socket);
      onConnection(socket);
    });
    return server;
  }
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it("explains that no engine answers at a missing socket, naming DOCKER_HOST, as a condition to retry", async () => {
    const socket = join(home, "no-engine.sock");
    const connection = await connectDocker({ DOCKER_HOST: `unix://${socket}` }, lookup());
    expect(connection.endpoint).toBe(`unix://${socket}`);
    const error = await pingDocker(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParityError);
    expect((error as ParityError).message).toBe(
      `No Docker engine answers at unix://${socket}, the address in the DOCKER_HOST variable: no socket exists there.`,
    );
    expect((error as ParityError).fix).toContain("point DOCKER_HOST at your engine");
    expect((error as ParityError).retryable).toBe(true);
  });

  it("names the front end's setting when the address came from it, not DOCKER_HOST", async () => {
    const socket = join(home, "no-engine.sock");
    const env = { DOCKER_HOST: `unix://${socket}`, [DOCKER_HOST_SETTING]: "parity.docker.host" };
    const connection = await connectDocker(env, lookup());
    expect(connection.source).toBe("parity.docker.host setting");
    const error = (await pingDocker(connection).catch((e: unknown) => e)) as ParityError;
    expect(error.message).toBe(
      `No Docker engine answers at unix://${socket}, the address in the parity.docker.host setting: no socket exists there.`,
    );
    expect(error.message).not.toContain("DOCKER_HOST");
    expect(error.fix).toBe(
      "Start that engine, or change the parity.docker.host setting to your engine's address (empty: DOCKER_HOST, then the docker context).",
    );
  });

  it("does not offer to retry a socket the user may not use: only a change of groups helps", async () => {
    // A stand-in engine: these tests run as root, whom no socket refuses.
    const refused = Object.assign(new Error("connect EACCES /var/run/docker.sock"), { code: "EACCES" });
    const connection = {
      docker: { ping: () => Promise.reject(refused) } as unknown as Dockerode,
      endpoint: "unix:///var/run/docker.sock",
      source: "default",
    };
    const error = (await pingDocker(connection).catch((e: unknown) => e)) as ParityError;
    expect(error.code).toBe("DockerPermissionDenied");
    expect(error.retryable).toBe(false);
    expect(error.fix).toContain('"docker" group');
  });

  it("names the docker context an address came from", async () => {
    const socket = join(home, "context.sock");
    addContext("remote", { Host: `unix://${socket}` });
    useContext("remote");
    const connection = await connectDocker({}, lookup());
    const error = (await pingDocker(connection).catch((e: unknown) => e)) as ParityError;
    expect(error.message).toBe(
      `No Docker engine answers at unix://${socket}, the address of the docker context remote: no socket exists there.`,
    );
    expect(error.fix).toContain('"docker context use <name>"');
  });

  it("suggests starting Docker for the default socket", async () => {
    // An engine may well answer at the real default socket: only the wording is under test here.
    const { docker } = await connectDocker({ DOCKER_HOST: `unix://${home}/x.sock` }, lookup());
    const down = { docker, endpoint: "unix:///var/run/docker.sock", source: "default" };
    const error = (await pingDocker(down).catch((e: unknown) => e)) as ParityError;
    expect(error.message).toContain(
      "No Docker engine answers at unix:///var/run/docker.sock, Docker's default socket:",
    );
    expect(error.fix).toContain("scripts/ensure-docker.sh");
  });

  it("gives up on an engine that never answers", async () => {
    const socket = join(home, "silent.sock");
    const silent = serve(() => undefined);
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    const connection = await connectDocker({ DOCKER_HOST: `unix://${socket}` }, lookup());
    const error = (await pingDocker(connection, undefined, 200).catch((e: unknown) => e)) as ParityError;
    expect(error.code).toBe("DockerUnreachable");
    expect(error.message).toContain("no answer within 0.2 s");
  });

  it("is cancelled by its signal", async () => {
    const socket = join(home, "silent.sock");
    const silent = serve(() => undefined);
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    const connection = await connectDocker({ DOCKER_HOST: `unix://${socket}` }, lookup());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await pingDocker(connection, controller.signal).catch((e: unknown) => e);
    expect((error as Error).name).toBe("CancelledError");
  });

  it("talks to a plain tcp engine at the resolved address", async () => {
    let request = "";
    const engine = serve((socket) => {
      socket.on("data", (data) => {
        request += data.toString();
        socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK");
      });
    });
    await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
    const port = (engine.address() as { port: number }).port;
    const connection = await connectDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }, lookup());
    await pingDocker(connection);
    expect(request).toMatch(/^GET \/_ping/);
  });
});
