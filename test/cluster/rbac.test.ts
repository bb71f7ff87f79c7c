import { ApiException, AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { freshNamespace, kubeConfig, until, useCluster } from "./harness/context.js";

const cluster = useCluster();
const admin = kubeConfig(cluster.kubeconfigs.admin);
const restricted = kubeConfig(cluster.kubeconfigs.restricted);
let namespace = "";

beforeAll(async () => {
  namespace = await freshNamespace(admin, "rbac");
});

const canI = (verb: string, resource: string) =>
  restricted.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { namespace, verb, resource } } },
  });

describe("RBAC with a restricted user", () => {
  it("answers 403 and a not-allowed SelfSubjectAccessReview until a RoleBinding grants access", async () => {
    const error = await restricted
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(403);
    expect((await canI("list", "pods")).status?.allowed).toBe(false);

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "viewer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: cluster.restrictedUser }],
      },
    });
    await until("list allowed", async () =>
      (await canI("list", "pods")).status?.allowed ? true : undefined,
    );
    expect((await restricted.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items).toEqual([]);
    const deletion = await canI("delete", "pods");
    expect(deletion.status?.allowed).toBe(false);
  });
});
