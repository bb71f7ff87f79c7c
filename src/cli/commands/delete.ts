import { followerGone, lastFollower } from "../../app/store/follower";
import { workspaceOfRunDir } from "../../app/store/runRef";
import { awaitRecordedEnd, findRun, type StoredRun } from "../../app/store/runStore";
import { runStop } from "../../app/targets/stop";
import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import { parseCommand } from "../args";
import { sessionOf, type CliCommand } from "../io";
import { settledFirst } from "./logs";

/** How long parity delete waits for the process that follows the run to record its end. */
const END_WAIT_MS = 30_000;

const USAGE = `Usage: parity delete <run> [--confirm <name>] [options]

Stops a recorded run the way Cancel Run does in the editor: a cluster run's workload (Job,
PyTorchJob, TFJob) is deleted, its pods with it, after checking that you may (a
SelfSubjectAccessReview); a local run still going is stopped as Ctrl-C stops it: a job's
container, a pipeline run's running steps, an experiment's running trials (resume it with parity
tune <notebook> --resume <id>). Where another parity process follows the run, that process is
asked to stop it and records the cancel; parity delete waits up to 30 s for that record and says
what it holds. <run> is a run id or a unique prefix of one, as parity logs takes it. The run's
record and logs stay.

In a protected namespace (labelled parity.dev/protected=true, or the profile's
cluster.protected: true) the workload's name must be typed: at the question asked on a terminal,
or with --confirm. Anything else deletes nothing; without a terminal, the exact command to type is
printed. A local run that has ended has nothing left
to stop: that is refused with a sentence.

Options:
  --confirm <name>   The workload's name, typed exactly, for a run in a protected namespace
  --workspace <dir>  The folder holding .parity (default: the current folder)
  -h, --help         Show this help`;

export const deleteCommand: CliCommand = async (args, io) => {
  const parsed = parseCommand(
    args,
    io,
    USAGE,
    { confirm: { type: "string" }, workspace: { type: "string" } },
    { min: 1, max: 1 },
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const found = await findRun(values.workspace ?? io.cwd, positionals[0]);
  const runId = found.result.runId;
  const stop = await runStop(sessionOf(io), { workspaceDir: workspaceOfRunDir(found.dir), runId });
  const name = stop.needed?.typeToConfirm;
  let typed = values.confirm;
  if (name !== undefined && typed === undefined && io.ask) {
    io.err(`${stop.needed?.why}: deleting ${stop.needed?.what} cannot be undone.`);
    typed = (await io.ask(`Type ${name} to delete it (anything else keeps it): `))?.trim();
  }
  if (name !== undefined && typed !== name) {
    const given = typed ? ` The name given (${typed}) is not ${name}.` : "";
    throw new ParityError(
      "ConfirmationRequired",
      `${stop.needed?.why ?? "It is protected"}: nothing was deleted.${given}`,
      { fix: `To delete ${stop.needed?.what}, type: parity delete ${runId} --confirm ${name}` },
    );
  }
  await stop.stop({ typedName: typed });
  const follower = (await followerGone(found.dir)) ? undefined : await lastFollower(found.dir);
  // A run another process follows is stopped by that process, which records the end in a moment; a
  // run no process follows (left running by Ctrl-C in a protected namespace) is recorded as it ends
  // now, not at the next command.
  const settled: StoredRun = follower
    ? { dir: found.dir, result: await awaitRecordedEnd(found, { timeoutMs: END_WAIT_MS, signal: io.signal }) }
    : await settledFirst(io, found);
  if (!isFinished(settled.result.status)) {
    io.out(
      follower
        ? `${stop.needed ? `Deleted ${stop.needed.what}` : `Asked the process that runs it (pid ${follower.pid}) to stop run ${runId}`}; that process has not recorded the end yet: parity logs ${runId} --follow shows it when it does.`
        : `${stop.needed ? `Deleted ${stop.needed.what}` : `Stopped run ${runId}`}; its record has not caught up yet: parity logs ${runId} --follow follows it to its end.`,
    );
    return 0;
  }
  const [first] = settled.result.diagnosis;
  io.out(
    `${stop.needed ? `Deleted ${stop.needed.what}` : `Stopped run ${runId}`}: it is recorded ${settled.result.status}${follower ? ` by the process that ran it (pid ${follower.pid})` : ""}.${first ? ` ${first.message} ${first.fix}` : ""} Its record and logs stay: parity logs ${runId}`,
  );
  return 0;
};
