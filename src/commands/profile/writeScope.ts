import path from "node:path";
import { ParityError } from "../../core/errors";
import { editRefusal } from "../../services/editScope";
import { rootOf, type FolderRoot } from "../../views/environment/profileFolders";

/**
 * The folders Create Profile may write in: the workspace folders; the notebook's own folder only
 * when the notebook lies outside every one of them (a notebook opened on its own).
 */
export function profileWriteRoots(notebookFile: string | undefined, roots: readonly FolderRoot[]): string[] {
  const folders = roots.map((root) => root.path);
  if (notebookFile && !rootOf(notebookFile, roots)) folders.push(path.dirname(notebookFile));
  return folders;
}

/**
 * Refuses to write any of `files` that lies outside `writeRoots` once symbolic links are followed
 * (both ways): a folder or requirements.txt that links out of the workspace, as an untrusted
 * repository may ship, must not make Parity write there.
 */
export async function refuseWritesOutside(files: readonly string[], writeRoots: string[]): Promise<void> {
  for (const file of files) {
    if (!(await editRefusal(file, writeRoots))) continue;
    throw new ParityError(
      "ProfileOutsideWorkspace",
      `Parity did not create the profile: ${file} leads outside this workspace's folders through a symbolic link, and Create Profile writes only inside them.`,
      {
        fix: "Create the profile in a folder of the workspace that is not a link (or replace the linked file with one of the project's own), then try again.",
      },
    );
  }
}

/** Refuses to extend a requirements file whose editor holds unsaved changes: saving them is the user's call. */
export function refuseUnsaved(document: { isDirty: boolean; uri: { fsPath: string } } | undefined): void {
  if (!document?.isDirty) return;
  throw new ParityError(
    "RequirementsUnsaved",
    `${path.basename(document.uri.fsPath)} has unsaved changes, so Parity did not add the notebook's imports to it.`,
    { fix: "Save or revert the file, then run Create Profile again." },
  );
}
