import type { Services } from "../services/container";
import type { ClusterView } from "../views/cluster/clusterView";
import type { RunsView } from "../views/runs/runsView";
import { refreshCluster } from "./cluster/refreshCluster";
import { buildImage } from "./image/build";
import { applyFix } from "./parity/applyFix";
import { checkParity } from "./parity/check";
import { openReport } from "./parity/openReport";
import { cancelPipelineRun } from "./pipeline/cancelPipelineRun";
import { runPipelineLocally } from "./pipeline/runPipelineLocally";
import { showPipelineRun } from "./pipeline/showPipelineRun";
import { createProfile } from "./profile/createProfile";
import { cancelRun } from "./run/cancelRun";
import { openDiagnosis } from "./run/openDiagnosis";
import { openLogs } from "./run/openLogs";
import { refreshRuns } from "./run/refreshRuns";
import { removeRun } from "./run/removeRun";
import { rerun } from "./run/rerun";
import { runLocally } from "./run/runLocally";
import { copyEndpointUrl } from "./serving/copyEndpointUrl";
import { deployModel } from "./serving/deployModel";
import { openEndpoint } from "./serving/openEndpoint";
import { showEndpointLogs } from "./serving/showEndpointLogs";
import { stopEndpoint } from "./serving/stopEndpoint";
import { runCommand, type CommandHandler } from "./support/boundary";
import { cancelExperiment } from "./tuning/cancelExperiment";
import { resumeExperiment } from "./tuning/resumeExperiment";
import { showExperiment } from "./tuning/showExperiment";
import { tune } from "./tuning/tune";

/** Runs a command by its id, with the arguments VS Code passed to the stub activation registered. */
export type RunCommand = (id: string, args: unknown[]) => Promise<void>;

/**
 * Every command of package.json, each inside the one error boundary. Activation registers a stub
 * for each command package.json declares (src/extension.ts); the stub runs its handler from here.
 */
export function registerCommands(
  services: Services,
  views: { runs: RunsView; cluster: ClusterView },
): RunCommand {
  const commands: Record<string, CommandHandler> = {
    "parity.checkParity": checkParity,
    "parity.buildImage": buildImage,
    "parity.runLocally": runLocally,
    "parity.runOnCluster": later((cluster) => cluster.runOnCluster),
    "parity.runOnClusterNoCluster": later((cluster) => cluster.explainNoCluster),
    "parity.runOnClusterDenied": later((cluster) => cluster.explainSubmitDenied),
    "parity.runOnClusterRestricted": later((cluster) => cluster.explainRestricted),
    "parity.selectKubeconfig": later((cluster) => cluster.selectKubeconfig),
    "parity.openClusterDocs": later((cluster) => cluster.openClusterDocs),
    "parity.openLogs": openLogs,
    "parity.cancelRun": cancelRun,
    "parity.createProfile": createProfile,
    "parity.openReport": openReport,
    "parity.openDiagnosis": openDiagnosis,
    "parity.rerun": rerun,
    "parity.removeRun": removeRun,
    "parity.applyFix": applyFix,
    "parity.refreshRuns": () => refreshRuns(views.runs),
    "parity.showManifest": later((cluster) => cluster.showManifest),
    "parity.deleteClusterRun": later((cluster) => cluster.deleteClusterRun),
    "parity.selectClusterContext": later((cluster) => cluster.selectClusterContext),
    "parity.selectClusterNamespace": later((cluster) => cluster.selectClusterNamespace),
    "parity.signInToRegistry": later((cluster) => cluster.signInToRegistry),
    "parity.refreshCluster": () => refreshCluster(views.cluster),
    "parity.runPipelineLocally": runPipelineLocally,
    "parity.runPipelineOnCluster": later((cluster) => cluster.runPipelineOnCluster),
    "parity.cancelPipelineRun": cancelPipelineRun,
    "parity.showPipelineRun": showPipelineRun,
    "parity.tune": tune,
    "parity.tuneOnCluster": later((cluster) => cluster.tuneOnCluster),
    "parity.resumeExperiment": resumeExperiment,
    "parity.cancelExperiment": cancelExperiment,
    "parity.showExperiment": showExperiment,
    "parity.deployModel": deployModel,
    "parity.deployModelToCluster": later((cluster) => cluster.deployModelToCluster),
    "parity.openEndpoint": openEndpoint,
    "parity.stopEndpoint": stopEndpoint,
    "parity.copyEndpointUrl": copyEndpointUrl,
    "parity.showEndpointLogs": showEndpointLogs,
  };
  return async (id, args) => {
    const handler = commands[id];
    if (!handler) throw new Error(`Parity declares the command ${id} but has no handler for it.`);
    await runCommand(services, id, handler, args);
  };
}

type ClusterCommands = typeof import("./cluster");

/** A cluster command, bundled apart (dist/clusterCommands.js) and loaded the first time one runs. */
function later(pick: (commands: ClusterCommands) => CommandHandler): CommandHandler {
  return async (services, ...args) => pick(await import("./cluster"))(services, ...args);
}
