import { access, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Environment } from "../../core/environment/types";
import { isCancelled } from "../../core/errors";
import { notebookDependencies } from "../../core/notebook";
import {
  DEFAULT_REQUIREMENTS,
  defaultBaseImage,
  defaultProfileDocument,
  renderProfileYaml,
} from "../../core/profile";
import {
  draftRequirements,
  readRequirements,
  requirementsAddition,
  type DraftedRequirement,
  type DraftedRequirements,
  type DraftRequirementsInput,
  type RequirementsAddition,
} from "../../core/requirements";
import { captureLocalEnvironment } from "../../targets/local/python";
import type { Print, SessionContext } from "../context";

export interface DraftOptions {
  /** The notebook the profile is for: its imports become requirements. */
  notebook?: string;
  /** The notebook's interpreter (default: PARITY_PYTHON, the folder's .venv, python3). */
  python?: string;
  /** False drafts without running the interpreter (Restricted Mode): default Python, unpinned requirements. */
  probeLocal: boolean;
  print: Print;
}

/**
 * The notebook's imports as requirements, for requirementsFile (those it lists already are kept
 * as written), and what was left out: see DraftedRequirements.
 */
export interface DraftedProfile extends DraftedRequirements {
  /** The text of parity.yaml. */
  profile: string;
  /** The requirements file beside it, which the profile names when it exists or gets requirements. */
  requirementsFile: string;
}

/**
 * A parity.yaml for the folder `dir` from the current environment: the interpreter's Python
 * version, the notebook's imports as requirements pinned to the interpreter's versions, default limits.
 */
export async function draftProfile(
  context: SessionContext,
  dir: string,
  options: DraftOptions,
): Promise<DraftedProfile> {
  const profile = defaultProfileDocument();
  const interpreter = options.probeLocal ? await probe(context, dir, options) : undefined;
  const [major, minor] = interpreter?.python.version.split(".") ?? [];
  if (major && minor) {
    profile.image.python = `${major}.${minor}`;
    profile.image.base = defaultBaseImage(profile.image.python);
  }
  const drafted = options.notebook
    ? await requirementsOf(options.notebook, interpreter, options.print)
    : nothingDrafted();
  const requirementsFile = path.join(dir, DEFAULT_REQUIREMENTS);
  if (drafted.requirements.length === 0 && !(await exists(requirementsFile)))
    delete profile.image.requirements;
  return { profile: renderProfileYaml(profile), requirementsFile, ...drafted };
}

async function probe(
  context: SessionContext,
  dir: string,
  options: DraftOptions,
): Promise<Environment | undefined> {
  try {
    return await captureLocalEnvironment({
      python: options.python,
      workspaceFolder: dir,
      env: context.env,
      signal: context.signal,
    });
  } catch (error) {
    if (isCancelled(error)) throw error;
    options.print(
      `Note: the interpreter could not be probed, so the profile names the default Python and its requirements are not pinned: ${(error as Error).message}`,
    );
    return undefined;
  }
}

const nothingDrafted = (): DraftedRequirements => ({
  requirements: [],
  notInstalled: [],
  unresolved: [],
  localInstalls: [],
});

async function requirementsOf(
  notebook: string,
  interpreter: Environment | undefined,
  print: Print,
): Promise<DraftedRequirements> {
  let dependencies;
  try {
    dependencies = notebookDependencies(await readFile(notebook, "utf8"), notebook);
  } catch (error) {
    print(
      `Note: ${path.basename(notebook)}'s imports could not be read, so no requirements were drafted: ${(error as Error).message}`,
    );
    return nothingDrafted();
  }
  const drafted = draftRequirements({
    imports: dependencies.imports,
    ...(await localModules(path.dirname(notebook))),
    notebookRequirements: dependencies.pipRequirements,
    interpreter,
  });
  const name = path.basename(notebook);
  if (drafted.requirements.length > 0)
    print(
      `Requirements from ${name}: ${drafted.requirements.map((requirement) => requirement.line).join(", ")}`,
    );
  return drafted;
}

/**
 * What the notebook may import from its own folder: modules and packages shipped with it, and
 * folders without __init__.py (namespace packages). A link counts as what it leads to.
 */
async function localModules(
  dir: string,
): Promise<Pick<DraftRequirementsInput, "localModules" | "localNamespaces">> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found = { localModules: [] as string[], localNamespaces: [] as string[] };
  for (const entry of entries) {
    const kind = entry.isSymbolicLink()
      ? await stat(path.join(dir, entry.name)).catch(() => undefined)
      : entry;
    if (kind?.isFile() && entry.name.endsWith(".py")) found.localModules.push(entry.name.slice(0, -3));
    else if (kind?.isDirectory())
      ((await exists(path.join(dir, entry.name, "__init__.py")))
        ? found.localModules
        : found.localNamespaces
      ).push(entry.name);
  }
  return found;
}

/**
 * What `requirementsFile` needs added for `wanted`: the distributions neither it nor a file it
 * includes (-r, inside `projectDir`) names yet. Nothing when the file is hash-checked.
 */
export async function requirementsAdditionFor(
  requirementsFile: string,
  projectDir: string,
  wanted: readonly DraftedRequirement[],
  notebookName: string,
): Promise<RequirementsAddition> {
  const text = await readFile(requirementsFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return requirementsAddition(undefined, wanted, notebookName);
  const texts = [text];
  const parsed = await readRequirements([{ file: requirementsFile, text }], {
    projectDir,
    reader: {
      read: async (file) => {
        const included = await readFile(file, "utf8").catch(() => undefined);
        if (included !== undefined) texts.push(included);
        return included;
      },
      kind: async (entry) => {
        const found = await stat(entry).catch(() => undefined);
        return found?.isDirectory() ? "directory" : found?.isFile() ? "file" : undefined;
      },
    },
  });
  return requirementsAddition({ text, parsed, texts }, wanted, notebookName);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
