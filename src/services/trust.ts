/** What a command does that a Restricted Mode workspace must not trigger. */
export type GuardedAction = "build" | "run" | "serve" | "request" | "deploy" | "delete" | "cancel";

const WHAT: Record<GuardedAction, string> = {
  build: "build images",
  run: "run notebooks",
  serve: "serve models",
  request: "send requests to endpoints",
  deploy: "deploy to a cluster",
  delete: "delete cluster runs",
  cancel: "cancel runs it did not start",
};

const WHY: Record<GuardedAction, string> = {
  build: "a build installs this workspace's requirements and copies its code",
  run: "a run executes this workspace's code",
  serve: "serving loads this workspace's model file, and loading a pickled model runs code",
  request: "this workspace's records say where the endpoint answers",
  deploy: "a deployment runs this workspace's code on the cluster",
  delete: "this workspace's settings and profile choose the cluster and namespace it acts on",
  cancel: "this workspace's run records name the containers and workloads it would stop",
};

/**
 * Why an action is refused in an untrusted workspace, as a sentence that says what to do; undefined
 * when it may go ahead.
 */
export function trustRefusal(action: GuardedAction, trusted: boolean): string | undefined {
  if (trusted) return undefined;
  return `Parity does not ${WHAT[action]} in Restricted Mode: ${WHY[action]}. Trust this workspace (Manage Workspace Trust) if you know where it comes from, then try again.`;
}

/** Restricted Mode still checks parity, against the profile and requirements only. */
export function checkScope(trusted: boolean): { useDocker: boolean; probeLocal: boolean; note?: string } {
  if (trusted) return { useDocker: true, probeLocal: true };
  return {
    useDocker: false,
    probeLocal: false,
    note: "Restricted Mode: the notebook's interpreter and the production image were not probed; the report compares the profile and requirements only. Trust the workspace for a full check.",
  };
}
