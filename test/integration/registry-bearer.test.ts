import { randomBytes } from "node:crypto";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../src/core/errors";
import { connectDocker } from "../../src/targets/docker/connection";
import type { RegistryCredentials } from "../../src/targets/registry/credentials";
import { deliverImage } from "../../src/targets/registry/deliver";
import { remoteReferenceFor } from "../../src/core/registry/reference";
import { startRegistry, type TestRegistry } from "../registry/harness/registry";
import { buildTinyImage, removeImages } from "../registry/harness/tinyImage";

// The real registry with token auth (as hosted registries do it): clients get a Bearer token from
// an issuer (test/registry/harness/tokenIssuer.ts) and the registry verifies its signature.
describe("delivering an image to a registry with Bearer token auth", () => {
  const username = "parity-user";
  const password = `pw-${randomBytes(8).toString("hex")}`;
  let docker: Dockerode;
  let registry: TestRegistry;
  let credentials: RegistryCredentials;
  const made: string[] = [];
  const signal = new AbortController().signal;

  async function tinyImage(): Promise<string> {
    const tag = `parity/bearer-${randomBytes(4).toString("hex")}:c0ffee000002`;
    made.push(tag, remoteReferenceFor(tag, registry.host).reference);
    await buildTinyImage(docker, tag);
    return tag;
  }

  beforeAll(async () => {
    docker = (await connectDocker()).docker;
    registry = await startRegistry({ auth: { username, password, scheme: "bearer" } });
    credentials = { username, password, serveraddress: registry.host };
  });
  afterAll(async () => {
    await removeImages(docker, made);
    await registry?.stop();
  });

  it("pushes, then finds the same digest through a token it asked for", async () => {
    const localTag = await tinyImage();
    const first = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(first.action).toBe("pushed");
    const grantedBefore = registry.tokenIssuer?.granted ?? 0;
    const second = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials,
      signal,
    });
    expect(second.action).toBe("already-present");
    // The Registry API check signed in for its token: the anonymous one has no access.
    expect(registry.tokenIssuer?.granted).toBe(grantedBefore + 1);
  });

  it("refuses a wrong password at the token issuer, without the password in the error", async () => {
    const wrongPassword = `wrong-${randomBytes(8).toString("hex")}`;
    const localTag = await tinyImage();
    const error = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      credentials: { ...credentials, password: wrongPassword },
      signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParityError);
    expect(error).toMatchObject({ code: "RegistryUnauthorized" });
    const text = [(error as ParityError).message, (error as ParityError).fix, (error as Error).stack].join(
      "\n",
    );
    expect(text).not.toContain(wrongPassword);
  });

  it("says a sign-in is needed when the anonymous token grants nothing", async () => {
    const localTag = await tinyImage();
    const error = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RegistryUnauthorized" });
    expect((error as ParityError).message).toBe(
      `The registry ${registry.host} needs you to sign in, and Parity has no credentials for it.`,
    );
  });
});
