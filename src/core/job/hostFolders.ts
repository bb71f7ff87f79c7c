import path from "node:path";
import { ParityError } from "../errors";
import { isInside } from "../paths";
import type { HostFolders } from "./types";

/** A folder as the profile names it (absolute) and where it really is, symlinks followed. */
export interface FolderPlace {
  path: string;
  realPath: string;
}

export interface HostFolderFacts {
  workspace: FolderPlace;
  outputs: FolderPlace;
  /** `outputs` as written in the profile, for the messages. */
  written: string;
  /** The profile's allowOutputsOutsideProject. */
  allowOutside: boolean;
}

/**
 * Decides from the real paths, not the written ones, whether a local run may mount its folders: a
 * symlink can lead an outputs folder written inside the project out of it, and what is mounted
 * read-write (or given to the job's user) is where the symlink leads.
 */
export function checkHostFolders({
  workspace,
  outputs,
  written,
  allowOutside,
}: HostFolderFacts): HostFolders {
  const project = workspace.realPath;
  const real = outputs.realPath;
  const writtenInside = isInside(outputs.path, workspace.path);
  const expected = writtenInside
    ? path.join(project, path.relative(workspace.path, outputs.path))
    : outputs.path;
  const throughSymlink = real !== expected;
  const location = { field: "outputs" };
  if (isInside(project, real)) {
    throw new ParityError(
      "OutputsHoldProject",
      `The outputs folder ${written} leads to ${real}, which holds the whole project (${project}): a job could overwrite your code.`,
      { location, fix: 'Point outputs at a sub-folder of the project, such as "outputs".' },
    );
  }
  const inside = isInside(real, project);
  if (!inside && !allowOutside) {
    throw new ParityError(
      "OutputsOutsideProject",
      `The outputs folder ${written} ${throughSymlink ? "leads through a symlink to" : "is"} ${real}, outside the project (${project}).`,
      {
        location,
        fix: `Make ${written} a folder inside the project${throughSymlink ? " (not a symlink out of it)" : ""}, or, if jobs may write to ${real}, add "allowOutputsOutsideProject: true" to the profile: Parity then mounts it read-write as it is and never changes its owner.`,
      },
    );
  }
  const notes: string[] = [];
  if (workspace.realPath !== workspace.path) {
    notes.push(`workspace: ${workspace.path} leads through a symlink to ${project} (mounted read-only)`);
  }
  const where = inside
    ? "inside the project"
    : "outside the project, allowed by allowOutputsOutsideProject; its owner is left as it is";
  if (throughSymlink) notes.push(`outputs: ${written} leads through a symlink to ${real} (${where})`);
  else if (!inside) notes.push(`outputs: ${real} is ${where}`);
  return { workspace: project, outputs: real, outputsInsideProject: inside, notes };
}
