import { describe, expect, it, vi } from "vitest";
import { EMPTY_SNAPSHOT, type ClusterSnapshot } from "../../../src/core/cluster/snapshot";

/*
 * The vscode API the Cluster view uses, in memory (no real one can run in a unit test): the test
 * fires the view's visibility and the settings' changes, and reads the context keys it sets.
 */
type Listener<T> = (value: T) => void;
function emitter<T>() {
  const listeners: Listener<T>[] = [];
  return {
    event: (listener: Listener<T>) => {
      listeners.push(listener);
      return { dispose: () => void listeners.splice(listeners.indexOf(listener), 1) };
    },
    fire: (value: T) => [...listeners].forEach((listener) => listener(value)),
  };
}
const fake = vi.hoisted(() => ({
  keys: new Map<string, unknown>(),
  configuration: undefined as unknown,
}));
vi.mock("vscode", () => {
  fake.configuration = emitter<{ affectsConfiguration: (section: string) => boolean }>();
  return {
    EventEmitter: class {
      private readonly inner = emitter<unknown>();
      event = this.inner.event;
      fire = (value: unknown) => this.inner.fire(value);
      dispose = () => undefined;
    },
    workspace: {
      isTrusted: false,
      onDidChangeConfiguration: (fake.configuration as ReturnType<typeof emitter>).event,
      getConfiguration: () => ({ get: () => undefined, inspect: () => undefined }),
    },
    commands: {
      executeCommand: async (command: string, key: string, value: unknown) => {
        if (command === "setContext") fake.keys.set(key, value);
      },
    },
  };
});
const { ClusterView } = await import("../../../src/views/cluster/clusterView");

/** A connection whose rules review said: no Jobs may be created in this namespace. */
const denied: ClusterSnapshot = {
  ...EMPTY_SNAPSHOT,
  context: "kind-a",
  namespace: "locked",
  contexts: ["kind-a"],
  health: { state: "live" } as ClusterSnapshot["health"],
  canSubmit: false,
  canDelete: false,
};

function followedCluster() {
  let snapshot = denied;
  const changed = emitter<void>();
  return {
    snapshot: () => snapshot,
    onChange: (listener: () => void) => changed.event(listener),
    stop: () => undefined,
    set(next: ClusterSnapshot) {
      snapshot = next;
      changed.fire();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("the Cluster view's word on what the cluster's rules allow", () => {
  it("withdraws a denial when the view stops watching, so that another namespace chosen while hidden can be run in", async () => {
    const followed = followedCluster();
    const services = {
      clusterStatus: { update: () => undefined },
      log: () => undefined,
      activeNotebook: {},
      app: async () => ({ followCluster: () => followed }),
    };
    const view = new ClusterView(services as never);
    const visibility = emitter<{ visible: boolean }>();
    view.attach({ visible: true, onDidChangeVisibility: visibility.event } as never);
    await vi.waitFor(() => expect(fake.keys.get("parity.cluster.submitDenied")).toBe(true));
    expect(fake.keys.get("parity.cluster.deleteDenied")).toBe(true);

    // Hidden, then Select Namespace picks one where Jobs are allowed: nobody reviews it now.
    visibility.fire({ visible: false });
    (fake.configuration as ReturnType<typeof emitter>).fire({
      affectsConfiguration: (section: string) => section.startsWith("parity.cluster"),
    });
    await settle();
    expect(fake.keys.get("parity.cluster.submitDenied")).toBe(false);
    expect(fake.keys.get("parity.cluster.deleteDenied")).toBe(false);

    // Shown again and still denied: said again.
    visibility.fire({ visible: true });
    await vi.waitFor(() => expect(fake.keys.get("parity.cluster.submitDenied")).toBe(true));
    view.dispose();
  });
});
