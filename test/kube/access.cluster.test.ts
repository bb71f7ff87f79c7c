import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParityError } from "../../src/core/errors";
import { userMessage } from "../../src/core/presentation/messages";
import {
  allowedActions,
  canI,
  isProtectedNamespace,
  requireAllowed,
  requireTypedName,
} from "../../src/targets/kube/access";
import { connectCluster, type KubeConnection } from "../../src/targets/kube/connection";
import { freshNamespace, kubeConfig, until, useCluster } from "../cluster/harness/context";

const cluster = useCluster();
const adminConfig = kubeConfig(cluster.kubeconfigs.admin);
const home = mkdtempSync(path.join(tmpdir(), "parity-kube-home-"));
let namespace = "";
let admin: KubeConnection;
let restricted: KubeConnection;

beforeAll(async () => {
  namespace = await freshNamespace(adminConfig, "access");
  admin = await connectCluster({ env: { KUBECONFIG: cluster.kubeconfigs.admin }, homeDir: home, namespace });
  restricted = await connectCluster({
    env: { KUBECONFIG: cluster.kubeconfigs.restricted },
    homeDir: home,
    namespace,
  });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const pytorchjobs = { verb: "create", group: "kubeflow.org", resource: "pytorchjobs" };

describe("permissions", () => {
  it("lets the admin create pytorchjobs and refuses the restricted user, naming every missing permission", async () => {
    expect((await canI(admin, pytorchjobs)).allowed).toBe(true);
    await requireAllowed(admin, [pytorchjobs, { verb: "delete", resource: "pods" }]);

    expect((await canI(restricted, pytorchjobs)).allowed).toBe(false);
    const one = await requireAllowed(restricted, [pytorchjobs]).catch((e: ParityError) => e);
    expect(one).toBeInstanceOf(ParityError);
    expect((one as ParityError).code).toBe("Forbidden");
    expect((one as ParityError).message).toBe(
      `You cannot create pytorchjobs.kubeflow.org in ${namespace} (context parity-test-${cluster.restrictedUser}).`,
    );
    expect((one as ParityError).fix).toBe(
      `Ask a cluster admin for a Role in ${namespace} that allows create on pytorchjobs.kubeflow.org, or choose another namespace.`,
    );

    const several = await requireAllowed(restricted, [
      pytorchjobs,
      { verb: "get", resource: "pods", subresource: "log" },
      { verb: "list", resource: "nodes", namespace: "" },
    ]).catch((e: ParityError) => e);
    expect((several as ParityError).message).toBe(
      `You cannot create pytorchjobs.kubeflow.org or get pods/log in ${namespace} and list nodes cluster-wide (context parity-test-${cluster.restrictedUser}).`,
    );
  });

  it("summarizes the rules a RoleBinding gives (SelfSubjectRulesReview)", async () => {
    const before = await allowedActions(restricted, namespace);
    expect(before.can("list", "pods")).toBe(false);
    expect(before.can("create", "selfsubjectaccessreviews", "authorization.k8s.io")).toBe(true);
    await admin.config.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "viewer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: cluster.restrictedUser }],
      },
    });
    const after = await until("the view role applies", async () => {
      const rules = await allowedActions(restricted, namespace);
      return rules.can("list", "pods") ? rules : undefined;
    });
    expect(after.can("get", "pods/log")).toBe(true);
    expect(after.can("list", "jobs", "batch")).toBe(true);
    expect(after.can("delete", "pods")).toBe(false);
    expect(after.can("create", "pytorchjobs", "kubeflow.org")).toBe(false);
    expect(after.incomplete).toBe(false);
  });

  it("treats a namespace labelled parity.dev/protected=true as protected, and falls back to the profile when it cannot read it", async () => {
    const core = admin.config.makeApiClient(CoreV1Api);
    const guarded = await freshNamespace(adminConfig, "protected");
    expect(await isProtectedNamespace(admin, guarded)).toBe(false);
    const read = await core.readNamespace({ name: guarded });
    read.metadata = {
      ...read.metadata,
      labels: { ...read.metadata?.labels, "parity.dev/protected": "true" },
    };
    await core.replaceNamespace({ name: guarded, body: read });
    expect(await isProtectedNamespace(admin, guarded)).toBe(true);
    expect(await isProtectedNamespace(admin, namespace, true)).toBe(true);
    // The restricted user may not read namespaces (403): only the profile's flag decides.
    expect(await isProtectedNamespace(restricted, guarded)).toBe(false);
    expect(await isProtectedNamespace(restricted, guarded, true)).toBe(true);

    const typed = (name: string | undefined) => {
      try {
        requireTypedName(true, "train-abc", name);
        return "allowed";
      } catch (error) {
        return (error as ParityError).code;
      }
    };
    expect([typed(undefined), typed("train"), typed("train-abc")]).toEqual([
      "ConfirmationRequired",
      "ConfirmationRequired",
      "allowed",
    ]);
  });
});

describe("a refusal that reaches a command's boundary unconverted", () => {
  it("reads as the cluster's refusal, with the verb and resource it names, not as an unexpected failure", async () => {
    const error = await restricted.config
      .makeApiClient(CoreV1Api)
      .listNode()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeDefined();
    const message = userMessage(error);
    expect(message).toMatch(
      /^The cluster refused: nodes is forbidden: User "[^"]+" cannot list resource "nodes" in API group "" at the cluster scope\. Ask a cluster admin for a Role that allows it/,
    );
    expect(message).not.toMatch(/unexpectedly|HTTP-Code|Headers/);
  });
});
