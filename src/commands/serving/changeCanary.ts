import { readRecordOf, type RunRef } from "../../app/store";
import { isCancelled, ParityError } from "../../core/errors";
import { deploymentMessage } from "../../core/presentation/endpointStatus";
import type { CanaryChange, CanaryOutcome } from "../../protocol/endpoint";
import type { Services } from "../../services/container";
import { userMessage } from "../../services/messages";
import { withCancellableProgress } from "../support/progress";
import { requireTrust } from "../support/targets";
import { deployConfirmed } from "./clusterDeploy";

const VERBS: Record<CanaryChange, { verb: string; doing: string }> = {
  promote: { verb: "Promote", doing: "promoting the canary of" },
  rollback: { verb: "Roll Back", doing: "rolling back the canary of" },
};

/**
 * The endpoint panel's Promote and Roll Back: the canary of a cluster endpoint made its stable model,
 * or taken out of its traffic, where the endpoint's record says it runs (its context and namespace,
 * whatever the window has selected since). Nothing is built; a protected namespace takes the
 * endpoint's name typed. What came of it is the panel's to say: a sentence, never a thrown error.
 */
export async function changeCanary(
  services: Services,
  ref: RunRef,
  change: CanaryChange,
): Promise<CanaryOutcome> {
  const { verb, doing } = VERBS[change];
  try {
    requireTrust("deploy");
    const result = await readRecordOf(ref);
    const name = result?.endpoint?.name;
    const cluster = result?.cluster;
    if (!result || !name || result.target !== "cluster" || !cluster) {
      throw new ParityError(
        "NotAClusterEndpoint",
        `${verb} acts on the canary of an endpoint on a cluster, and run ${ref.runId} is not one.`,
        { fix: "Open a cluster endpoint from the Endpoints view." },
      );
    }
    const app = await services.app();
    const deployed = await withCancellableProgress(
      services,
      `Parity: ${doing} ${name} in ${cluster.namespace}`,
      ({ signal, print }) =>
        deployConfirmed(
          app,
          services.sessionContext(result.notebook, signal),
          {
            source: result.notebook,
            placement: { context: cluster.context, namespace: cluster.namespace },
            ...(change === "promote" ? { promote: true } : { rollback: true }),
            print,
          },
          { name, what: `${verb} the canary of ${name} in ${cluster.namespace}` },
        ),
    );
    const { severity, text } = deploymentMessage(deployed);
    services.log(`${ref.runId}: ${text}`);
    return { ok: severity !== "error", message: text };
  } catch (error) {
    const message = isCancelled(error) ? `${verb} was not done: nothing changed.` : userMessage(error);
    services.log(`${ref.runId}: ${verb} failed: ${message}`);
    return { ok: false, message };
  }
}
