import path from "node:path";
import type { Services } from "../../services/container";
import { openManifest } from "../cluster/showManifest";
import { confirmUnschedulable, onCluster, podQuestion } from "../run/runOnCluster";
import { fileName, notebookFor } from "../support/targets";
import { runTuning, type TuningTarget } from "./tuning";

/**
 * Parity: Tune on Cluster — the notebook's experiment (as Tune finds it) as a Katib Experiment in
 * the chosen context and namespace: Katib, its metrics collector, the permissions and a trial's pod
 * checked before the image is built and pushed; trials that would not schedule are submitted only
 * if the user says so. Each trial that ends is a cluster job run of its own. The tuning panel fills
 * as Katib runs the trials; Cancel deletes the Experiment once the user confirms. Closing the
 * window leaves it running, and the next window follows it again.
 */
export async function tuneOnCluster(services: Services, arg?: unknown): Promise<void> {
  const file = path.resolve(notebookFor(services, arg, "tune on the cluster"));
  await runTuning(services, file, clusterTuning(services));
}

function clusterTuning(services: Services): TuningTarget {
  return {
    name: "cluster",
    trust: "deploy",
    where: " on the cluster",
    run: (app, context, request) =>
      onCluster(services, app, request.notebook, ({ placement, registryCredentials, started }) =>
        app.tuneOnCluster(context, {
          ...request,
          placement,
          registryCredentials,
          confirmUnschedulable: (prediction, manifest) =>
            confirmUnschedulable(
              podQuestion(prediction, {
                what: `the trials of ${fileName(request.notebook)} as they are`,
                pending: "each trial stays",
              }),
              { look: { title: "Show Trial's Manifest", show: () => openManifest(manifest) } },
            ),
          onStart: (run) => {
            request.onStart?.(run);
            started(run);
          },
        }),
      ),
  };
}
