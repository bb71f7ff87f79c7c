import type { Services } from "../services/container";
import { ClusterView } from "./cluster/clusterView";
import type { ViewSlots } from "./deferredTreeView";
import { EndpointsView } from "./endpoints/endpointsView";
import { EnvironmentView } from "./environment/environmentView";
import { ExperimentNotebooks } from "./experiments/experimentNotebooks";
import { ExperimentsView } from "./experiments/experimentsView";
import { ProfilePresence } from "./environment/profilePresence";
import { PipelinesView } from "./pipelines/pipelinesView";
import { RunsView } from "./runs/runsView";

/**
 * The Environment, Runs, Pipelines, Experiments, Endpoints and Cluster views of the Parity
 * container: activation registered each (`views`); this gives them their data.
 */
export function registerViews(
  services: Services,
  views: ViewSlots,
): { runs: RunsView; cluster: ClusterView } {
  const profiles = services.track(new ProfilePresence());
  const environment = services.track(new EnvironmentView(services, profiles));
  views.provide("parity.environment", environment);
  const runs = services.track(new RunsView(services));
  runs.attach(views.provide("parity.runs", runs));
  const pipelines = services.track(new PipelinesView(services));
  pipelines.attach(views.provide("parity.pipelines", pipelines));
  const experiments = services.track(new ExperimentsView(services));
  experiments.attach(views.provide("parity.experiments", experiments));
  // The notebook toolbar's Tune shows on the open notebooks that have an experiment.
  services.track(new ExperimentNotebooks());
  const endpoints = services.track(new EndpointsView(services));
  endpoints.attach(views.provide("parity.endpoints", endpoints));
  const cluster = services.track(new ClusterView(services));
  cluster.attach(views.provide("parity.cluster", cluster));
  return { runs, cluster };
}
