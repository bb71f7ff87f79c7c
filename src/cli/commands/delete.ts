import { workspaceOfRunDir } from "../../app/store/runRef";
import { findRun } from "../../app/store/runStore";
import { runStop } from "../../app/targets/stop";
import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import { parseCommand } from "../args";
import { sessionOf, type CliCommand } from "../io";
import { settledFirst } from "./logs";

const USAGE = `Usage: parity delete <run> [--confirm <name>] [options]

Stops a recorded run the way Cancel Run does in the editor: a cluster run's workload (Job,
PyTorchJob, TFJob) is deleted, its pods with it, after checking that you may (a
SelfSubjectAccessReview); a local run still going has its container stopped and removed. <run> is
a run id or a unique prefix of one, as parity logs takes it. The run's record and logs stay.

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
  // A run no process follows (left running by Ctrl-C in a protected namespace) is recorded as it
  // ends now, not at the next command.
  const settled = await settledFirst(io, found);
  io.out(
    `${stop.needed ? `Deleted ${stop.needed.what}` : `Stopped run ${runId}`}; ${
      isFinished(settled.result.status)
        ? `the run is recorded ${settled.result.status}`
        : "the process that follows it records its end"
    }. Its record and logs stay: parity logs ${runId}`,
  );
  return 0;
};
