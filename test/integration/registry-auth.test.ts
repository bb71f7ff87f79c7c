import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../src/core/errors";
import { connectDocker } from "../../src/targets/docker/connection";
import { credentialsFor, type RegistryCredentials } from "../../src/targets/registry/credentials";
import { deliverImage } from "../../src/targets/registry/deliver";
import { tagAndPush } from "../../src/targets/registry/push";
import { remoteReferenceFor } from "../../src/core/registry/reference";
import { startRegistry, type TestRegistry } from "../registry/harness/registry";
import { buildTinyImage, removeImages } from "../registry/harness/tinyImage";

// A real registry with htpasswd (bcrypt) basic auth on loopback; the engine pushes to it over HTTP.
describe("delivering an image to a registry that needs a sign-in", () => {
  const username = "parity-user";
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const wrongPassword = `wrong-${randomBytes(8).toString("hex")}`;
  let docker: Dockerode;
  let registry: TestRegistry;
  let home: string;
  const made: string[] = [];
  const signal = new AbortController().signal;

  /** A fresh tiny image per test, so each delivery really pushes. */
  async function tinyImage(): Promise<string> {
    const tag = `parity/auth-${randomBytes(4).toString("hex")}:c0ffee000001`;
    made.push(tag, remoteReferenceFor(tag, registry.host).reference);
    await buildTinyImage(docker, tag);
    return tag;
  }

  async function writeDockerConfig(config: object): Promise<NodeJS.ProcessEnv> {
    const dir = await mkdtemp(path.join(home, "docker-config-"));
    await writeFile(path.join(dir, "config.json"), JSON.stringify(config));
    return { PATH: process.env.PATH, DOCKER_CONFIG: dir };
  }

  /** Asks the registry itself, with the right password, whether the pushed tag is there. */
  async function registryHas(reference: string): Promise<boolean> {
    const remote = remoteReferenceFor(reference, registry.host);
    const response = await fetch(`http://${registry.host}/v2/${remote.repository}/manifests/${remote.tag}`, {
      method: "HEAD",
      headers: {
        Accept: "application/vnd.docker.distribution.manifest.v2+json",
        Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`,
      },
    });
    return response.status === 200;
  }

  beforeAll(async () => {
    docker = (await connectDocker()).docker;
    registry = await startRegistry({ auth: { username, password } });
    home = await mkdtemp(path.join(tmpdir(), "parity-registry-home-"));
  });
  afterAll(async () => {
    await removeImages(docker, made);
    await registry?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("pushes with the credentials of an auths entry in DOCKER_CONFIG", async () => {
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    const env = await writeDockerConfig({ auths: { [`http://${registry.host}`]: { auth } } });
    const credentials = await credentialsFor(registry.host, { env, homeDir: home });
    expect(credentials).toEqual({ username, password, serveraddress: registry.host });

    const localTag = await tinyImage();
    const delivery = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(delivery.action).toBe("pushed");
    expect(await registryHas(delivery.reference)).toBe(true);
    // The same image again: the Registry API (signed in) finds the same digest.
    const again = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(again.action).toBe("already-present");
  });

  it("lets a secret from the editor win over config.json", async () => {
    const stale = Buffer.from(`${username}:${wrongPassword}`).toString("base64");
    const env = await writeDockerConfig({ auths: { [registry.host]: { auth: stale } } });
    const secret: RegistryCredentials = { username, password, serveraddress: registry.host };
    const credentials = await credentialsFor(registry.host, { env, homeDir: home, secret });
    expect(credentials).toBe(secret);

    const localTag = await tinyImage();
    const delivery = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(delivery.action).toBe("pushed");
    expect(await registryHas(delivery.reference)).toBe(true);
  });

  it("asks a credential helper named in credHelpers, giving it the host on stdin", async () => {
    const bin = await mkdtemp(path.join(home, "bin-"));
    const asked = path.join(bin, "asked.txt");
    const helper = path.join(bin, "docker-credential-parity-test");
    await writeFile(
      helper,
      [
        "#!/bin/sh",
        `[ "$1" = get ] || exit 1`,
        `cat > "${asked}"`,
        `printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "${registry.host}" "${username}" "${password}"`,
        "",
      ].join("\n"),
    );
    await chmod(helper, 0o755);
    const env = await writeDockerConfig({ credHelpers: { [registry.host]: "parity-test" } });
    env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;

    const credentials = await credentialsFor(registry.host, { env, homeDir: home });
    expect(credentials).toEqual({ username, password, serveraddress: registry.host });
    expect((await readFile(asked, "utf8")).trim()).toBe(registry.host);

    const localTag = await tinyImage();
    const delivery = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(delivery.action).toBe("pushed");
  });

  it("falls back to auths when the credsStore helper has nothing for the host", async () => {
    const bin = await mkdtemp(path.join(home, "bin-"));
    const helper = path.join(bin, "docker-credential-parity-empty");
    await writeFile(helper, "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n");
    await chmod(helper, 0o755);
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    const env = await writeDockerConfig({ credsStore: "parity-empty", auths: { [registry.host]: { auth } } });
    env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
    expect(await credentialsFor(registry.host, { env, homeDir: home })).toMatchObject({ username, password });
  });

  it("names a credential helper that is not installed", async () => {
    const env = await writeDockerConfig({ credsStore: "parity-absent" });
    const error = await credentialsFor(registry.host, { env, homeDir: home }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CredentialHelperFailed" });
    expect((error as ParityError).message).toBe(
      `The credential helper docker-credential-parity-absent could not give the credentials for ${registry.host}: it is not installed or not on PATH (config.json names it in credHelpers or credsStore).`,
    );
  });

  it("says the registry needs a sign-in when Parity has no credentials", async () => {
    const localTag = await tinyImage();
    const error = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RegistryUnauthorized" });
    expect((error as ParityError).fix).toContain(`docker login ${registry.host}`);
    expect((error as ParityError).fix).toContain("Parity: Sign In to Registry");
  });

  describe("with a wrong password", () => {
    const wrong: () => RegistryCredentials = () => ({
      username,
      password: wrongPassword,
      serveraddress: registry.host,
    });

    function expectNoSecret(error: unknown, progress: string[]): void {
      expect(error).toBeInstanceOf(ParityError);
      const parity = error as ParityError;
      const everything = [
        parity.message,
        parity.fix ?? "",
        JSON.stringify(parity.location ?? {}),
        ...parity.details.flatMap((detail) => [detail.message, detail.fix ?? ""]),
        String(parity.cause ?? ""),
        parity.stack ?? "",
        ...progress,
      ].join("\n");
      const encoded = Buffer.from(`${username}:${wrongPassword}`).toString("base64");
      expect(everything).not.toContain(wrongPassword);
      expect(everything).not.toContain(encoded);
      expect(everything).toContain(registry.host);
    }

    it("fails with RegistryUnauthorized and the password nowhere (Registry API check)", async () => {
      const localTag = await tinyImage();
      const progress: string[] = [];
      const error = await deliverImage(docker, {
        localTag,
        registry: registry.host,
        kubeContext: "prod",
        credentials: wrong(),
        signal,
        onProgress: (line) => progress.push(line),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "RegistryUnauthorized" });
      expect((error as ParityError).message).toBe(
        `The registry ${registry.host} refused the credentials Parity has for it.`,
      );
      expectNoSecret(error, progress);
    });

    it("fails with RegistryUnauthorized and the password nowhere (the engine's push)", async () => {
      const localTag = await tinyImage();
      const progress: string[] = [];
      const error = await tagAndPush(docker, localTag, remoteReferenceFor(localTag, registry.host), {
        credentials: wrong(),
        signal,
        onProgress: (line) => progress.push(line),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "RegistryUnauthorized" });
      expectNoSecret(error, progress);
    });
  });
});
