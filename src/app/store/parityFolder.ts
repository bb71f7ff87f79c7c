import path from "node:path";
import { ParityError } from "../../core/errors";
import { isInside } from "../../core/paths";
import { realPathOf } from "./realPath";
import { PARITY_DIR } from "./runRef";

/**
 * `dir`, a folder below the workspace's .parity, once it is known to stay inside the workspace
 * with every symlink followed: a .parity (or a folder in it) that is a symlink out of the project
 * would have Parity write somewhere nobody asked it to. Checked before anything is created.
 */
export async function insideWorkspace(workspaceDir: string, dir: string): Promise<string> {
  const project = await realPathOf(workspaceDir);
  const real = await realPathOf(dir);
  if (isInside(real, project)) return dir;
  throw new ParityError(
    "ParityFolderOutsideProject",
    `${dir} leads through a symlink to ${real}, outside the project (${project}).`,
    {
      fix: `Parity writes its records only inside the project: remove the symlink (${path.join(workspaceDir, PARITY_DIR)} or one in it) and Parity makes the folder again.`,
    },
  );
}
