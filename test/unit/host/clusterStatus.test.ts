import { describe, expect, it } from "vitest";
import type * as vscode from "vscode";
import {
  registryCredentials,
  registryHost,
  storeRegistryCredentials,
} from "../../../src/services/clusterSecrets";
import { ClusterStatus } from "../../../src/services/clusterStatus";
import { activeTarget, clusterStatusText } from "../../../src/statusBar/clusterStatusText";
import { statusText } from "../../../src/statusBar/statusText";

describe("the cluster status bar item", () => {
  it("shows only while a cluster run is active or the Cluster view is visible", () => {
    const status = new ClusterStatus();
    let changes = 0;
    status.onDidChange(() => changes++);
    status.update({ context: "kwok", namespace: "team-a" });
    expect(status.shown).toBe(false);
    status.update({ viewVisible: true });
    expect(status.shown).toBe(true);
    status.update({ viewVisible: false });
    const end = status.runStarted();
    expect(status.shown).toBe(true);
    end();
    end();
    expect(status.state.activeRuns).toBe(0);
    expect(status.shown).toBe(false);
    expect(changes).toBe(5);
  });

  it("names the context and namespace, and says when the watch is stale, reconnecting or unreachable", () => {
    const base = { context: "kwok", namespace: "team-a", viewVisible: true, activeRuns: 0 };
    expect(clusterStatusText({ ...base, health: { state: "live" } }, 0).text).toBe("$(cloud) kwok · team-a");
    const stale = clusterStatusText({ ...base, health: { state: "stale", lastHeardAt: 5_000 } }, 100_000);
    expect(stale.text).toBe("$(warning) kwok · team-a · stale 95 s");
    expect(stale.tooltip).toContain("nothing heard from the API server");
    expect(clusterStatusText({ ...base, health: { state: "reconnecting" } }, 0).text).toBe(
      "$(sync~spin) kwok · team-a · reconnecting",
    );
    const down = clusterStatusText(
      { ...base, health: { state: "unreachable", error: "connection refused" } },
      0,
    );
    expect(down.text).toBe("$(error) kwok · team-a · unreachable");
    expect(down.tooltip).toContain("connection refused");
    expect(clusterStatusText({ ...base, activeRuns: 2 }, 0).tooltip).toContain(
      "2 cluster runs of this window",
    );
  });
});

describe("Parity's main status bar item", () => {
  it("names the cluster target while a cluster run of this window is active, and local otherwise", () => {
    const status = new ClusterStatus();
    status.update({ context: "kwok", namespace: "team-a" });
    expect(statusText(activeTarget(status.state), { kind: "none" }).text).toBe("$(beaker) Parity: local");
    const end = status.runStarted();
    expect(statusText(activeTarget(status.state), { kind: "unchecked" }).text).toBe(
      "$(beaker) Parity: cluster · kwok/team-a · not checked",
    );
    expect(statusText(activeTarget(status.state), { kind: "none" }).tooltip).toContain(
      "jobs run on the cluster · kwok/team-a",
    );
    end();
    expect(activeTarget(status.state)).toBe("local");
    expect(activeTarget({ viewVisible: false, activeRuns: 1 })).toBe("cluster");
  });
});

describe("registry credentials", () => {
  it("are kept per registry host", () => {
    expect(registryHost("127.0.0.1:5000/team/models")).toBe("127.0.0.1:5000");
    expect(registryHost("Registry.Example.com")).toBe("registry.example.com");
    expect(registryHost("https://ghcr.io/org")).toBe("ghcr.io");
  });

  it("keeps a Docker Hub sign-in under docker.io with Docker Hub's server address, found for image.registry myuser", async () => {
    // A stand-in for VS Code's SecretStorage (a Map): no real one exists outside the editor.
    const kept = new Map<string, string>();
    const secrets = {
      store: async (key: string, value: string) => void kept.set(key, value),
      get: async (key: string) => kept.get(key),
    } as unknown as vscode.SecretStorage;
    await storeRegistryCredentials(secrets, { username: "me", password: "pw", serveraddress: "docker.io" });
    expect([...kept.keys()]).toEqual(["parity.registry:docker.io"]);
    expect(await registryCredentials(secrets, "myuser")).toEqual({
      username: "me",
      password: "pw",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(await registryCredentials(secrets, "registry.example.com/team")).toBeUndefined();
  });
});
