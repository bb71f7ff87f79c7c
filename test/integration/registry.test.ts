import { randomBytes } from "node:crypto";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageNameFor } from "../../src/core/build/context";
import { CancelledError, ParityError } from "../../src/core/errors";
import { connectDocker } from "../../src/targets/docker/connection";
import { deliverImage } from "../../src/targets/registry/deliver";
import { freePort, startRegistry, type TestRegistry } from "../registry/harness/registry";
import { buildTinyImage, removeImages } from "../registry/harness/tinyImage";

// A real registry (Debian's distribution) on loopback without auth, and the real engine pushing to it.
describe("delivering an image to a registry without auth", () => {
  let docker: Dockerode;
  let registry: TestRegistry;
  const slug = `tiny-${randomBytes(4).toString("hex")}`;
  const localTag = `parity/${slug}:0a1b2c3d4e5f`;
  const made: string[] = [localTag];
  const signal = new AbortController().signal;

  beforeAll(async () => {
    docker = (await connectDocker()).docker;
    registry = await startRegistry();
    await buildTinyImage(docker, localTag);
  });
  afterAll(async () => {
    await removeImages(docker, made);
    await registry?.stop();
  });

  it("pushes parity/<slug>:<hash> as <registry>/<slug>:<hash>, where the Registry API finds it", async () => {
    const progress: string[] = [];
    const delivery = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "kind-parity",
      signal,
      onProgress: (line) => progress.push(line),
    });
    const reference = `${registry.host}/${slug}:0a1b2c3d4e5f`;
    made.push(reference);
    expect(delivery).toMatchObject({ reference, action: "pushed" });
    expect(delivery.detail).toContain(`Pushed ${reference}`);
    expect(progress.some((line) => /: Pushed$/.test(line))).toBe(true);
    // Layer states, not byte counts: each line at most once.
    expect(new Set(progress).size).toBe(progress.length);

    const response = await fetch(`http://${registry.host}/v2/${slug}/manifests/0a1b2c3d4e5f`, {
      method: "HEAD",
      headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(response.status).toBe(200);
    const digest = response.headers.get("docker-content-digest");
    const local = await docker.getImage(localTag).inspect();
    expect(local.RepoDigests).toContain(`${registry.host}/${slug}@${digest}`);
  });

  it("pushes nothing the second time: the registry has the same digest", async () => {
    const progress: string[] = [];
    const delivery = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "kind-parity",
      signal,
      onProgress: (line) => progress.push(line),
    });
    expect(delivery.action).toBe("already-present");
    expect(delivery.reference).toBe(`${registry.host}/${slug}:0a1b2c3d4e5f`);
    expect(progress).toEqual([]);
  });

  it("pushes a local tag already under the registry (image.registry set) as it is", async () => {
    const ownTag = `${imageNameFor(`${slug} own`, `${registry.host}/team/`)}:feedbeef0001`;
    made.push(ownTag);
    await buildTinyImage(docker, ownTag);
    const delivery = await deliverImage(docker, {
      localTag: ownTag,
      registry: `${registry.host}/team`,
      kubeContext: "prod",
      signal,
    });
    expect(delivery).toMatchObject({ reference: ownTag, action: "pushed" });
    const tags = await fetch(`http://${registry.host}/v2/team/${slug}-own/tags/list`);
    expect(await tags.json()).toEqual({ name: `team/${slug}-own`, tags: ["feedbeef0001"] });
  });

  it("uses the local image as it is when the cluster shares this engine", async () => {
    const delivery = await deliverImage(docker, { localTag, kubeContext: "docker-desktop", signal });
    expect(delivery).toMatchObject({ reference: localTag, action: "shared-engine" });
    expect(delivery.detail).toContain("docker-desktop");
  });

  it("asks for image.registry when the cluster cannot see this engine", async () => {
    const error = await deliverImage(docker, { localTag, kubeContext: "kind-parity", signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParityError);
    expect(error).toMatchObject({ code: "RegistryMissing", location: { field: "image.registry" } });
    expect((error as ParityError).message).toBe(
      `The cluster (context kind-parity) cannot see images on this machine, and the profile sets no image.registry to push ${localTag} to.`,
    );
    expect((error as ParityError).fix).toContain("Set image.registry in parity.yaml");
  });

  it("stops before anything when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await deliverImage(docker, {
      localTag,
      registry: registry.host,
      kubeContext: "prod",
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
  });

  it("says quickly that a registry on a closed port is unreachable", async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const error = await deliverImage(docker, {
      localTag,
      registry: closed,
      kubeContext: "prod",
      signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RegistryUnreachable" });
    expect((error as ParityError).message).toBe(
      `The registry ${closed} cannot be reached: connection refused (nothing listens there).`,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
