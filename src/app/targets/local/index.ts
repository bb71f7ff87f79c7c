import { ParityError } from "../../../core/errors";
import { formatReport } from "../../../core/parity";
import { TARGET_LABELS } from "../../../core/presentation/targets";
import { isFinished } from "../../../core/workload/status";
import { runLocalJob } from "../../../targets/docker/localRun";
import { stopRunContainers } from "../../../targets/docker/runEvents";
import { createRunHandle } from "../../../targets/runHandle";
import { jobSpecFor } from "../../job/load";
import { buildForRun, checkParity, connect, hostFoldersFor, loadForRun } from "../../job/session";
import { requestCancel } from "../../store/cancelRequest";
import { followerGone } from "../../store/follower";
import { newRunId, RunRecorder } from "../../store/runStore";
import type { Target } from "../target";
import { removeLeftovers, requireOwnRecord, settleLocalRun } from "./settle";

/**
 * Local Docker: the job's container runs under the profile's limits on this machine's engine, and
 * the process that started it is its only owner (a container left by a killed process is stopped).
 */
export const localTarget: Target = {
  name: "local",
  label: TARGET_LABELS.local,
  outlivesFollower: false,

  async check(context, request) {
    const result = await checkParity(context, request.notebook, {
      profile: request.profile,
      python: request.python,
      print: request.print,
    });
    return {
      notebookFile: result.job.notebookFile,
      passed: result.report.errors === 0,
      text: formatReport(result.report),
      json: { notebook: result.job.notebookFile, image: result.builtImage ?? null, ...result.report },
    };
  },

  async start(context, request) {
    const connection = await connect(context, request.print);
    const job = await loadForRun(context, request, connection);
    const folders = await hostFoldersFor(job);
    for (const note of folders.notes) request.print(note);
    const { built, moduleDistributions } = await buildForRun(context, connection, job, request);
    const spec = { ...jobSpecFor(job, built.tag, request.params, moduleDistributions), folders };
    const runId = newRunId(spec.name);
    const handle = createRunHandle(runId, async (controls) => {
      const recorder = await RunRecorder.create(spec.workspaceDir, runId);
      try {
        const cancel = recorder.honourCancelRequests(controls.cancel);
        return await runLocalJob(connection, spec, runId, recorder, { ...controls, cancel });
      } finally {
        await recorder.release();
      }
    });
    return { handle, job, where: "on local Docker", cancelEffect: "stops and removes its container" };
  },

  async attach(context, stored) {
    const connection = await connect(context, () => undefined);
    return settleLocalRun(connection, stored, false, context);
  },

  async confirmation() {
    return undefined;
  },

  /**
   * The request first, which the process that follows the run honours as Ctrl-C whatever the run's
   * kind (a pipeline run's steps, an experiment's trials are stopped by it); then the run's own
   * container, if it has one, is stopped at once. Refused when neither is there to act on.
   */
  async cancel(context, stored) {
    requireOwnRecord(stored);
    const connection = await connect(context, () => undefined);
    await requestCancel(stored);
    // No process is there to honour the request: the run is settled here, as the next command
    // would settle it (a pipeline's steps', an experiment's trials' containers stopped with it).
    if (!isFinished(stored.result.status) && (await followerGone(stored.dir))) {
      await settleLocalRun(connection, stored, true, context).result;
      return;
    }
    const stopped = await stopRunContainers(connection, stored.result.runId, stored.result.notebook);
    if (stopped === 0 && (await followerGone(stored.dir))) {
      throw new ParityError(
        "RunNotRunning",
        `The run ${stored.result.runId} has no container running any more, and no process follows it.`,
        {
          fix: "Refresh the Runs view: the run has ended, or its process was stopped before it could record the end.",
        },
      );
    }
  },

  async remove(context, stored) {
    const connection = await connect(context, () => undefined);
    await removeLeftovers(connection.docker, stored);
  },

  async reconcile(context, stored) {
    const connection = await connect(context, () => undefined);
    return settleLocalRun(connection, stored, true, context).result;
  },
};
