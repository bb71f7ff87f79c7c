import * as vscode from "vscode";
import type { Services } from "../services/container";
import { ClusterView } from "./cluster/clusterView";
import { EndpointsView } from "./endpoints/endpointsView";
import { EnvironmentView } from "./environment/environmentView";
import { ExperimentNotebooks } from "./experiments/experimentNotebooks";
import { ExperimentsView } from "./experiments/experimentsView";
import { ProfilePresence } from "./environment/profilePresence";
import { PipelinesView } from "./pipelines/pipelinesView";
import { RunsView } from "./runs/runsView";

/** The Environment, Runs, Pipelines, Experiments, Endpoints and Cluster views of the Parity container. */
export function registerViews(services: Services): { runs: RunsView; cluster: ClusterView } {
  const profiles = services.track(new ProfilePresence());
  const environment = services.track(new EnvironmentView(services, profiles));
  services.track(
    vscode.window.createTreeView("parity.environment", {
      treeDataProvider: environment,
      showCollapseAll: false,
    }),
  );
  const runs = services.track(new RunsView(services));
  runs.attach(services.track(vscode.window.createTreeView("parity.runs", { treeDataProvider: runs })));
  const pipelines = services.track(new PipelinesView(services));
  pipelines.attach(
    services.track(vscode.window.createTreeView("parity.pipelines", { treeDataProvider: pipelines })),
  );
  const experiments = services.track(new ExperimentsView(services));
  experiments.attach(
    services.track(vscode.window.createTreeView("parity.experiments", { treeDataProvider: experiments })),
  );
  // The notebook toolbar's Tune shows on the open notebooks that have an experiment.
  services.track(new ExperimentNotebooks());
  const endpoints = services.track(new EndpointsView(services));
  endpoints.attach(
    services.track(vscode.window.createTreeView("parity.endpoints", { treeDataProvider: endpoints })),
  );
  const cluster = services.track(new ClusterView(services));
  cluster.attach(
    services.track(vscode.window.createTreeView("parity.cluster", { treeDataProvider: cluster })),
  );
  return { runs, cluster };
}
