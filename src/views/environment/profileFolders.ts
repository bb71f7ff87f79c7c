import path from "node:path";
import { isInside } from "../../core/paths";

/*
 * Which parity.yaml governs which folder, as the application layer finds a notebook's profile: the
 * nearest one in the notebook's folder or above it, up to its workspace folder. Pure: the callers
 * list the workspace's profiles.
 */

/** A workspace folder: its name and path. */
export interface FolderRoot {
  name: string;
  path: string;
}

/** A profile of the workspace and what it governs. */
export interface GovernedFolder {
  profileFile: string;
  /** Its folder: it governs the notebooks there and below, but for `except`. */
  dir: string;
  /** The nearest folders below it with a profile of their own (what is below those is theirs). */
  except: string[];
  /**
   * The folder's other profile file, when it has both parity.yaml and parity.yml: Parity cannot
   * tell which is meant, and a notebook it governs does not run until one is removed.
   */
  alsoThere?: string;
}

/**
 * The profiles found in the workspace (absolute paths), one per folder, by folder. One pass over
 * the folders in code-unit order, where a folder's subfolders follow it: linear in the profiles.
 */
export function governedFolders(profileFiles: readonly string[]): GovernedFolder[] {
  const byDir = new Map<string, GovernedFolder>();
  // parity.yaml before parity.yml, as the profile lookup reads them.
  for (const file of [...profileFiles].sort(byCodeUnits)) {
    const dir = path.dirname(file);
    const found = byDir.get(dir);
    if (found) found.alsoThere ??= file;
    else byDir.set(dir, { profileFile: file, dir, except: [] });
  }
  const folders = [...byDir.values()].sort((a, b) => byCodeUnits(a.dir, b.dir));
  const above: GovernedFolder[] = [];
  for (const folder of folders) {
    while (above.length > 0 && !isInside(folder.dir, above.at(-1)!.dir)) above.pop();
    above.at(-1)?.except.push(folder.dir);
    above.push(folder);
  }
  return folders;
}

function byCodeUnits(a: string, b: string): number {
  // A folder's path is a prefix of its subfolders' paths; with the separator sorting first, they follow it at once.
  const key = (text: string) => text.split(path.sep).join("\u0000");
  const [left, right] = [key(a), key(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The profile that governs `notebookFile`: the nearest above it, not above its workspace folder. */
export function governingProfile(
  notebookFile: string,
  governed: readonly GovernedFolder[],
  roots: readonly FolderRoot[],
): GovernedFolder | undefined {
  const root = rootOf(notebookFile, roots);
  const notebookDir = path.dirname(notebookFile);
  let nearest: GovernedFolder | undefined;
  for (const folder of governed) {
    if (!isInside(notebookDir, folder.dir) || (root && !isInside(folder.dir, root.path))) continue;
    if (!nearest || folder.dir.length > nearest.dir.length) nearest = folder;
  }
  return nearest;
}

/**
 * Where a new profile for `notebookFile` may go: its own folder, then each folder above it up to
 * its workspace folder, stopping below the profile that governs it now. Only its folder when it
 * lies outside the workspace folders.
 */
export function profilePlaces(
  notebookFile: string,
  governed: readonly GovernedFolder[],
  roots: readonly FolderRoot[],
): string[] {
  const notebookDir = path.dirname(notebookFile);
  const root = rootOf(notebookFile, roots);
  const governing = governingProfile(notebookFile, governed, roots);
  if (!root) return governing?.dir === notebookDir ? [] : [notebookDir];
  const places: string[] = [];
  for (let dir = notebookDir; governing?.dir !== dir; dir = path.dirname(dir)) {
    places.push(dir);
    if (dir === root.path || path.dirname(dir) === dir) break;
  }
  return places;
}

/** What Create Profile offers for a notebook: open the profile it has, or write one in a folder. */
export type ProfileChoice = { kind: "open"; profileFile: string } | { kind: "create"; dir: string };

/**
 * Create Profile's choices for `notebookFile`: the profile that governs it now first (a new one
 * would take its place for the notebook, so that is never done without asking), then the folders
 * a new one may go in.
 */
export function profileChoices(
  notebookFile: string,
  governed: readonly GovernedFolder[],
  roots: readonly FolderRoot[],
): ProfileChoice[] {
  const governing = governingProfile(notebookFile, governed, roots);
  const places = profilePlaces(notebookFile, governed, roots).map((dir): ProfileChoice => ({
    kind: "create",
    dir,
  }));
  return governing ? [{ kind: "open", profileFile: governing.profileFile }, ...places] : places;
}

/** A folder as the views name it: relative to its workspace folder, led by that folder's name when there are several. */
export function folderLabel(dir: string, roots: readonly FolderRoot[]): string {
  const root = rootOf(dir, roots);
  if (!root) return dir;
  const relative = path.relative(root.path, dir).split(path.sep).join("/");
  if (roots.length === 1) return relative || root.name;
  return relative ? `${root.name}/${relative}` : root.name;
}

/** The innermost workspace folder holding `file` (workspace folders may nest). */
export function rootOf(file: string, roots: readonly FolderRoot[]): FolderRoot | undefined {
  return roots.filter((root) => isInside(file, root.path)).sort((a, b) => b.path.length - a.path.length)[0];
}
