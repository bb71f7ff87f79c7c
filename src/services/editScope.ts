import { realPathOf } from "../app/store/realPath";
import { isInside } from "../core/paths";

/**
 * Why Parity will not edit `file` (absolute), or undefined when it lies inside one of `roots`: the
 * workspace folders and the profile's folder. A report can name any file (an absolute path, or a
 * requirements include such as `-r ../../x.txt` in an untrusted repository), so a fix never writes
 * outside them. Symbolic links are followed first, so a link inside a folder cannot lead out of it.
 */
export async function editRefusal(file: string, roots: string[]): Promise<string | undefined> {
  const target = await realPathOf(file);
  const realRoots = await Promise.all(roots.map(realPathOf));
  if (realRoots.some((root) => isInside(target, root))) return undefined;
  return roots.length === 0
    ? `Parity changes files only inside the workspace folders, and this window has none, so it did not change ${file}. Open the folder that holds the notebook (File > Open Folder), check parity again, then apply the fix.`
    : `Parity did not change ${file}: it is outside this workspace's folders and the profile's folder, and a fix only changes files inside them. Edit that file yourself if you trust where it comes from, or add its folder to the workspace and check parity again.`;
}
