import { describe, expect, it } from "vitest";
import { imageNameFor } from "../../../src/core/build/context";
import {
  canonicalHost,
  digestsFor,
  isLoopbackHost,
  registryHost,
  remoteReferenceFor,
  sharesLocalEngine,
  splitTag,
} from "../../../src/core/registry/reference";

describe("remoteReferenceFor", () => {
  it("moves parity/<slug>:<hash> under a registry host", () => {
    expect(remoteReferenceFor("parity/train:3f2a", "127.0.0.1:5000")).toEqual({
      reference: "127.0.0.1:5000/train:3f2a",
      host: "127.0.0.1:5000",
      apiHost: "127.0.0.1:5000",
      repository: "train",
      tag: "3f2a",
    });
  });

  it("keeps the registry's path and ignores trailing slashes", () => {
    const remote = remoteReferenceFor("parity/train:3f2a", "registry.example.com/ml-team/");
    expect(remote).toMatchObject({
      reference: "registry.example.com/ml-team/train:3f2a",
      host: "registry.example.com",
      repository: "ml-team/train",
    });
  });

  it("leaves a tag that imageNameFor already put under the registry as it is", () => {
    const localTag = `${imageNameFor("Digits Train", "registry.example.com/ml-team")}:9e8d`;
    expect(localTag).toBe("registry.example.com/ml-team/digits-train:9e8d");
    expect(remoteReferenceFor(localTag, "registry.example.com/ml-team").reference).toBe(localTag);
  });

  it("sends a Docker Hub namespace to registry-1.docker.io, crediting docker.io", () => {
    expect(remoteReferenceFor("parity/train:1", "someone")).toMatchObject({
      reference: "someone/train:1",
      host: "docker.io",
      apiHost: "registry-1.docker.io",
      repository: "someone/train",
    });
    expect(remoteReferenceFor("parity/train:1", "index.docker.io/someone")).toMatchObject({
      host: "docker.io",
      repository: "someone/train",
    });
  });

  it("reads a port as part of the host, not as a tag", () => {
    expect(splitTag("localhost:5000/train")).toEqual({ name: "localhost:5000/train", tag: "latest" });
    expect(remoteReferenceFor("parity/train:ab", "localhost:5000")).toMatchObject({
      host: "localhost:5000",
      tag: "ab",
    });
  });
});

describe("hosts", () => {
  it("folds Docker Hub's aliases and URLs", () => {
    for (const alias of [
      "docker.io",
      "index.docker.io",
      "registry-1.docker.io",
      "https://index.docker.io/v1/",
    ]) {
      expect(canonicalHost(alias)).toBe("docker.io");
    }
    expect(canonicalHost("http://127.0.0.1:5000")).toBe("127.0.0.1:5000");
    expect(canonicalHost("Registry.Example.com/v2/")).toBe("registry.example.com");
  });

  it("takes the registry host out of an image.registry value", () => {
    expect(registryHost("registry.example.com/team")).toBe("registry.example.com");
    expect(registryHost("someone")).toBe("docker.io");
    expect(registryHost("127.0.0.1:5000")).toBe("127.0.0.1:5000");
  });

  it("speaks HTTP only to loopback", () => {
    expect(isLoopbackHost("127.0.0.1:5000")).toBe(true);
    expect(isLoopbackHost("127.8.9.1")).toBe(true);
    expect(isLoopbackHost("localhost:5000")).toBe(true);
    expect(isLoopbackHost("[::1]:5000")).toBe(true);
    expect(isLoopbackHost("registry.example.com")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false);
  });

  it("knows the contexts whose nodes use this machine's engine", () => {
    for (const context of ["docker-desktop", "rancher-desktop", "orbstack", "colima", "colima-gpu"]) {
      expect(sharesLocalEngine(context)).toBe(true);
    }
    for (const context of ["kind-kind", "minikube", "prod", "my-docker-desktop"]) {
      expect(sharesLocalEngine(context)).toBe(false);
    }
  });
});

describe("digestsFor", () => {
  it("picks the digests pushed to this very repository", () => {
    const remote = remoteReferenceFor("parity/train:1", "127.0.0.1:5000");
    const repoDigests = [
      "127.0.0.1:5000/train@sha256:aaa",
      "127.0.0.1:5001/train@sha256:bbb",
      "127.0.0.1:5000/train-other@sha256:ccc",
    ];
    expect(digestsFor(repoDigests, remote)).toEqual(["sha256:aaa"]);
  });

  it("matches Docker Hub's short form", () => {
    const remote = remoteReferenceFor("parity/train:1", "someone");
    expect(digestsFor(["someone/train@sha256:aaa", "docker.io/someone/train@sha256:bbb"], remote)).toEqual([
      "sha256:aaa",
      "sha256:bbb",
    ]);
  });
});
