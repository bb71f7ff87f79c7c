import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { isInside } from "../../core/paths";
import { PROFILE_FILE_NAMES } from "../../core/profile/fileNames";
import { experimentFilesFor, hasTuningField } from "../../core/tuning/files";
import type { FoundExperiment } from "./experimentsModel";

export const NOTEBOOK_GLOB = "**/*.ipynb";
/** The files an experiment is read from: next to a notebook, or a profile's `tuning:`. */
export const EXPERIMENT_GLOBS = [
  "**/*.experiment.{yaml,yml}",
  "**/experiment.{yaml,yml}",
  "**/parity.{yaml,yml}",
];
const EXCLUDE = "**/{node_modules,.git,.venv,venv,.parity,dist,.ipynb_checkpoints}/**";
/** Enough for any project; a bound on the work of one search. */
const MAX_FILES = 2000;

/**
 * Where a notebook's experiment is, as `parity tune` looks for it without --experiment: its
 * profile's `tuning:` (the nearest parity.yaml above it, within its workspace folder), else a file
 * next to it (<notebook>.experiment.yaml, experiment.yaml). Undefined when it has none.
 */
export async function experimentFileOf(
  notebookFile: string,
  profiles: ProfileLookup = new ProfileLookup(),
): Promise<string | undefined> {
  const profile = await profiles.nearest(notebookFile);
  if (profile && (await profiles.hasTuning(profile))) return profile;
  for (const candidate of experimentFilesFor(notebookFile)) if (await isFile(candidate)) return candidate;
  return undefined;
}

/** The notebooks of the workspace that have an experiment. */
export async function findExperiments(): Promise<FoundExperiment[]> {
  const notebooks = (await vscode.workspace.findFiles(NOTEBOOK_GLOB, EXCLUDE, MAX_FILES))
    .filter((uri) => uri.scheme === "file")
    .map((uri) => uri.fsPath);
  const profiles = new ProfileLookup();
  const files = await Promise.all(notebooks.map((file) => experimentFileOf(file, profiles)));
  return notebooks.flatMap((notebookFile, index) => {
    const experimentFile = files[index];
    return experimentFile ? [{ notebookFile, experimentFile }] : [];
  });
}

/** Profiles looked up once per search: many notebooks share a folder and a parity.yaml. */
export class ProfileLookup {
  private readonly nearestOf = new Map<string, Promise<string | undefined>>();
  private readonly tuningOf = new Map<string, Promise<boolean>>();

  /** The nearest parity.yaml above the notebook, up to its workspace folder, as runs find it. */
  nearest(notebookFile: string): Promise<string | undefined> {
    const dir = path.dirname(notebookFile);
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookFile))?.uri.fsPath;
    const stop = folder && isInside(dir, folder) ? folder : path.parse(dir).root;
    return this.walk(dir, stop);
  }

  private walk(dir: string, stop: string): Promise<string | undefined> {
    let found = this.nearestOf.get(dir);
    if (!found) {
      found = (async () => {
        for (const name of PROFILE_FILE_NAMES)
          if (await isFile(path.join(dir, name))) return path.join(dir, name);
        const parent = path.dirname(dir);
        return dir === stop || parent === dir ? undefined : this.walk(parent, stop);
      })();
      this.nearestOf.set(dir, found);
    }
    return found;
  }

  hasTuning(profileFile: string): Promise<boolean> {
    let has = this.tuningOf.get(profileFile);
    if (!has) {
      has = readFile(profileFile, "utf8").then(hasTuningField, () => false);
      this.tuningOf.set(profileFile, has);
    }
    return has;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
