import { describe, expect, it } from "vitest";
import { clusterSetup, kubeconfigPresence } from "../../../src/core/cluster/setup";
import { EMPTY_SNAPSHOT, type ClusterSnapshot } from "../../../src/core/cluster/snapshot";

const snapshot = (change: Partial<ClusterSnapshot>): ClusterSnapshot => ({
  ...EMPTY_SNAPSHOT,
  contexts: [],
  health: { state: "connecting" },
  ...change,
});
const found = () => "found" as const;
const none = () => "none" as const;
const chosenMissing = () => "chosenMissing" as const;

describe("what the Cluster view lacks before it can show a cluster", () => {
  it("is no kubeconfig when no file exists and nothing names a context", () => {
    expect(clusterSetup(snapshot({}), none)).toBe("noKubeconfig");
  });

  it("is no kubeconfig even when parity.yaml or the settings name a context: there is nothing to reach it with", () => {
    const named = snapshot({
      context: "kind-a",
      health: { state: "unreachable", error: "No kubeconfig found." },
    });
    expect(clusterSetup(named, none)).toBe("noKubeconfig");
  });

  it("is the chosen file missing when the setting's kubeconfig is gone, context or not", () => {
    expect(clusterSetup(snapshot({}), chosenMissing)).toBe("chosenKubeconfigMissing");
    expect(clusterSetup(snapshot({ context: "kind-a" }), chosenMissing)).toBe("chosenKubeconfigMissing");
  });

  it("is no context when the kubeconfig lists contexts and none is chosen", () => {
    const unchosen = snapshot({
      contexts: ["kind-a", "kind-b"],
      health: { state: "unreachable", error: "No context chosen: /k/config sets no current-context." },
    });
    expect(clusterSetup(unchosen, found)).toBe("noContext");
  });

  it("leaves the rows to explain the rest: a context chosen, a file read, a broken file", () => {
    expect(clusterSetup(snapshot({ context: "kind-a", health: { state: "unreachable" } }), found)).toBe(
      "ready",
    );
    expect(clusterSetup(snapshot({}), found)).toBe("ready");
    const broken = snapshot({
      health: { state: "unreachable", error: "The kubeconfig /k/config is invalid." },
    });
    expect(clusterSetup(broken, found)).toBe("ready");
  });
});

describe("where the kubeconfig stands", () => {
  const present =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it("is found when any file kubectl would read exists", () => {
    expect(kubeconfigPresence(undefined, ["/a", "/b"], present("/b"))).toBe("found");
    expect(kubeconfigPresence("/chosen", ["/chosen"], present("/chosen"))).toBe("found");
  });

  it("is none when none of them exists", () => {
    expect(kubeconfigPresence(undefined, ["/home/u/.kube/config"], present())).toBe("none");
  });

  it("is the chosen file missing when the setting names a file that is gone, whatever else exists", () => {
    // The setting replaces KUBECONFIG: ~/.kube/config is not read in its place.
    expect(kubeconfigPresence("/gone", ["/gone"], present("/home/u/.kube/config"))).toBe("chosenMissing");
  });
});
