import type * as vscode from "vscode";
import type { Services } from "../services/container";
import type { ClusterView } from "../views/cluster/clusterView";
import type { RunsView } from "../views/runs/runsView";
import { deleteClusterRun } from "./cluster/deleteClusterRun";
import { refreshCluster } from "./cluster/refreshCluster";
import { selectClusterContext } from "./cluster/selectContext";
import { selectClusterNamespace } from "./cluster/selectNamespace";
import { showManifest } from "./cluster/showManifest";
import { signInToRegistry } from "./cluster/signInToRegistry";
import { buildImage } from "./image/build";
import { applyFix } from "./parity/applyFix";
import { checkParity } from "./parity/check";
import { openReport } from "./parity/openReport";
import { createProfile } from "./profile/createProfile";
import { cancelRun } from "./run/cancelRun";
import { openDiagnosis } from "./run/openDiagnosis";
import { openLogs } from "./run/openLogs";
import { refreshRuns } from "./run/refreshRuns";
import { removeRun } from "./run/removeRun";
import { rerun } from "./run/rerun";
import { runLocally } from "./run/runLocally";
import { runOnCluster } from "./run/runOnCluster";
import { registerCommand, type CommandHandler } from "./support/boundary";

/** Every command of package.json, each inside the one error boundary. */
export function registerCommands(
  services: Services,
  views: { runs: RunsView; cluster: ClusterView },
): vscode.Disposable[] {
  const commands: Record<string, CommandHandler> = {
    "parity.checkParity": checkParity,
    "parity.buildImage": buildImage,
    "parity.runLocally": runLocally,
    "parity.runOnCluster": runOnCluster,
    "parity.openLogs": openLogs,
    "parity.cancelRun": cancelRun,
    "parity.createProfile": createProfile,
    "parity.openReport": openReport,
    "parity.openDiagnosis": openDiagnosis,
    "parity.rerun": rerun,
    "parity.removeRun": removeRun,
    "parity.applyFix": applyFix,
    "parity.refreshRuns": () => refreshRuns(views.runs),
    "parity.showManifest": showManifest,
    "parity.deleteClusterRun": deleteClusterRun,
    "parity.selectClusterContext": selectClusterContext,
    "parity.selectClusterNamespace": selectClusterNamespace,
    "parity.signInToRegistry": signInToRegistry,
    "parity.refreshCluster": () => refreshCluster(views.cluster),
  };
  return Object.entries(commands).map(([id, handler]) => registerCommand(services, id, handler));
}
