import { AuthorizationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { ParityError } from "../../core/errors";
import type { KubeConnection } from "./connection";
import { apiFailure, httpStatus } from "./kubeErrors";
import { summarizeRules, type RulesSummary } from "./rules";

export type { RulesSummary } from "./rules";

export interface AccessCheck {
  verb: string;
  /** API group; "" or undefined for the core group. */
  group?: string;
  resource: string;
  subresource?: string;
  /** undefined: the connection's namespace; "": cluster-wide. */
  namespace?: string;
  name?: string;
}

/** A SelfSubjectAccessReview: may the connection's user do this? */
export async function canI(
  conn: KubeConnection,
  check: AccessCheck,
): Promise<{ allowed: boolean; reason?: string }> {
  const namespace = check.namespace ?? conn.target.namespace;
  try {
    const review = await conn.config.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: {
          resourceAttributes: {
            verb: check.verb,
            group: check.group ?? "",
            resource: check.resource,
            subresource: check.subresource,
            namespace: namespace || undefined,
            name: check.name,
          },
        },
      },
    });
    const reason = review.status?.reason || undefined;
    return {
      allowed: review.status?.allowed === true && review.status.denied !== true,
      ...(reason ? { reason } : {}),
    };
  } catch (error) {
    throw apiFailure(error, conn.target, `check whether you may ${describeAction(check)}`);
  }
}

/**
 * Every check at once; throws one ParityError("Forbidden") naming every missing permission,
 * e.g. "You cannot create pytorchjobs.kubeflow.org in team-a (context kwok)."
 */
export async function requireAllowed(conn: KubeConnection, checks: AccessCheck[]): Promise<void> {
  const answers = await Promise.all(checks.map((check) => canI(conn, check)));
  const missing = checks.filter((_, index) => !answers[index]?.allowed);
  if (missing.length === 0) return;
  const byPlace = new Map<string, AccessCheck[]>();
  for (const check of missing) {
    const namespace = check.namespace ?? conn.target.namespace;
    byPlace.set(namespace, [...(byPlace.get(namespace) ?? []), check]);
  }
  const places = [...byPlace].map(
    ([namespace, list]) => `${sayList(list.map(describeAction), "or")} ${placeName(namespace)}`,
  );
  const roles = [...byPlace].map(
    ([namespace, list]) =>
      `${namespace ? `a Role in ${namespace}` : "a ClusterRole"} that allows ${sayList(
        list.map((check) => `${check.verb} on ${resourceName(check)}`),
        "and",
      )}`,
  );
  throw new ParityError("Forbidden", `You cannot ${places.join(" and ")} (context ${conn.target.context}).`, {
    fix: `Ask a cluster admin for ${roles.join(", and ")}, or choose another namespace.`,
  });
}

/** What the user may do in `namespace` (SelfSubjectRulesReview), to hide actions they cannot take. */
export async function allowedActions(conn: KubeConnection, namespace: string): Promise<RulesSummary> {
  try {
    const review = await conn.config.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({
      body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
    });
    return summarizeRules(review.status?.resourceRules ?? [], review.status?.incomplete === true);
  } catch (error) {
    throw apiFailure(error, conn.target, `list your permissions in ${namespace}`);
  }
}

/**
 * Protected: the namespace carries parity.dev/protected=true, or the profile says so. When the
 * namespace cannot be read (no permission, or it does not exist) only the profile's flag counts.
 */
export async function isProtectedNamespace(
  conn: KubeConnection,
  namespace: string,
  profileProtected?: boolean,
): Promise<boolean> {
  if (profileProtected) return true;
  try {
    const read = await conn.config.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    return read.metadata?.labels?.["parity.dev/protected"] === "true";
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403 || status === 404) return false;
    throw apiFailure(error, conn.target, `read namespace ${namespace}`);
  }
}

/** In a protected namespace a deletion needs the resource's name typed exactly. */
export function requireTypedName(
  isProtected: boolean,
  resourceName: string,
  typed: string | undefined,
): void {
  if (!isProtected || typed === resourceName) return;
  const message =
    typed === undefined || typed === ""
      ? `${resourceName} is in a protected namespace: type its name to confirm.`
      : `The name typed (${typed}) is not ${resourceName}; nothing was deleted.`;
  throw new ParityError("ConfirmationRequired", message, {
    fix: `Type ${resourceName} exactly to confirm the deletion.`,
  });
}

/** "pytorchjobs.kubeflow.org", "pods/log", "deployments.apps/scale" (as kubectl auth can-i writes them) */
function resourceName(check: AccessCheck): string {
  return `${check.resource}${check.group ? `.${check.group}` : ""}${check.subresource ? `/${check.subresource}` : ""}`;
}

function describeAction(check: AccessCheck): string {
  return `${check.verb} ${resourceName(check)}${check.name ? ` ${check.name}` : ""}`;
}

function placeName(namespace: string): string {
  return namespace ? `in ${namespace}` : "cluster-wide";
}

/** "a", "a or b", "a, b or c" */
function sayList(items: string[], last: string): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}
