import path from "node:path";
import * as vscode from "vscode";
import { CancelledError, ParityError } from "../../core/errors";
import { isRunnableFile } from "../../services/activeNotebook";
import {
  folderLabel,
  governingProfile,
  profileChoices,
  rootOf,
  type FolderRoot,
  type GovernedFolder,
  type ProfileChoice,
} from "../../views/environment/profileFolders";

const NOT_SEARCHED = "**/{node_modules,.git,.venv}/**";
/** Notebooks looked at for the folders that lack a profile, when no notebook is open. */
const MAX_NOTEBOOKS = 200;

export function workspaceRoots(): FolderRoot[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
    name: folder.name,
    path: folder.uri.fsPath,
  }));
}

/**
 * The notebook a command's argument names (an Environment row), when it is a notebook or script
 * inside the workspace: a link or another extension cannot make Parity write elsewhere.
 */
export function notebookArgument(arg: unknown, roots: readonly FolderRoot[]): string | undefined {
  const file = (arg as { notebookFile?: unknown } | undefined)?.notebookFile;
  if (typeof file !== "string" || !path.isAbsolute(file)) return undefined;
  return isRunnableFile(vscode.Uri.file(file)) && rootOf(file, roots) ? file : undefined;
}

/**
 * Where Create Profile goes. For a notebook: the folder a new profile goes in, its own folder or,
 * when a folder above it fits too (up to its workspace folder, below the profile that governs it
 * now), the one the user picks; when a profile governs it already, the user is asked first, with
 * opening that profile as the first choice (a new one would take its place for the notebook).
 * Without one: a workspace folder when it is the only project, else the user picks among the
 * workspace folders and the folders of notebooks that have no profile.
 */
export async function profilePlace(
  notebookFile: string | undefined,
  governed: GovernedFolder[],
  roots: FolderRoot[],
): Promise<ProfileChoice> {
  if (notebookFile) {
    const choices = profileChoices(notebookFile, governed, roots);
    if (choices.length === 1) return choices[0]!;
    return pick(choices, roots, {
      title: `Create Profile for ${path.basename(notebookFile)}`,
      besides: path.dirname(notebookFile),
      besidesWhat: `beside ${path.basename(notebookFile)}`,
    });
  }
  if (roots.length === 0) {
    throw new ParityError("NoWorkspace", "Create Profile needs a folder to write parity.yaml into.", {
      fix: "Open the project's folder (File > Open Folder), then try again.",
    });
  }
  const places = await placesWithoutNotebook(governed, roots);
  if (places.length === 0) {
    throw new ParityError(
      "EveryFolderHasProfile",
      "Every workspace folder and every notebook's folder has a profile already.",
      {
        fix: "Open a notebook in the folder that should get its own profile, then run Create Profile again.",
      },
    );
  }
  const choices = places.map((dir): ProfileChoice => ({ kind: "create", dir }));
  // A single project without a profile: nothing to ask. With other projects, the place is the user's choice.
  if (choices.length === 1 && governed.length === 0) return choices[0]!;
  return pick(choices, roots, { title: "Create Profile" });
}

async function placesWithoutNotebook(governed: GovernedFolder[], roots: FolderRoot[]): Promise<string[]> {
  const notebooks = await vscode.workspace.findFiles("**/*.ipynb", NOT_SEARCHED, MAX_NOTEBOOKS);
  const withoutProfile = notebooks
    .map((uri) => uri.fsPath)
    .filter((file) => !governingProfile(file, governed, roots))
    .map((file) => path.dirname(file));
  const rootsWithout = roots.map((root) => root.path).filter((dir) => !governed.some((g) => g.dir === dir));
  return [...new Set([...withoutProfile.sort((a, b) => a.localeCompare(b)), ...rootsWithout])];
}

async function pick(
  choices: ProfileChoice[],
  roots: FolderRoot[],
  options: { title: string; besides?: string; besidesWhat?: string },
): Promise<ProfileChoice> {
  const replacing = choices.some((choice) => choice.kind === "open");
  const items = choices.map((choice) => ({
    ...choiceItem(choice, roots, { ...options, replacing }),
    choice,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: "The folder for parity.yaml (it governs the notebooks there and below)",
  });
  if (!picked) throw new CancelledError();
  return picked.choice;
}

function choiceItem(
  choice: ProfileChoice,
  roots: FolderRoot[],
  options: { besides?: string; besidesWhat?: string; replacing: boolean },
): { label: string; description?: string } {
  if (choice.kind === "open") {
    const file = `${folderLabel(path.dirname(choice.profileFile), roots)}/${path.basename(choice.profileFile)}`;
    return { label: `Open ${file}`, description: "governs it now" };
  }
  const { dir } = choice;
  const where =
    dir === options.besides
      ? options.besidesWhat
      : roots.some((root) => root.path === dir)
        ? "workspace folder"
        : undefined;
  // A new profile there would govern the notebook in place of the one it has.
  const description = options.replacing
    ? [where, "a new profile in its place"].filter(Boolean).join(" · ")
    : where;
  return { label: folderLabel(dir, roots), description };
}
