import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import {
  imageNameFor,
  planBuild,
  type BuildPlan,
  type ContextFile,
  type PipInputs,
} from "../../core/build/context";
import { JOB_DIR } from "../../core/build/dockerfile";
import { ParityError } from "../../core/errors";
import { envProblems } from "../../core/job/envLimits";
import { isInside } from "../../core/paths";
import type { JobSpec } from "../../core/job/types";
import {
  convertNotebook,
  mapTraceback,
  encodeParameterOverrides,
  PARAMETERS_VARIABLE,
  type LineMap,
  type NotebookJob,
} from "../../core/notebook";
import { defaultProfile, findProfileFile, loadProfile, type ResolvedProfile } from "../../core/profile";
import {
  describeSource,
  distributionForImport,
  readRequirements,
  type LocalPath,
  type ParsedRequirements,
  type RequirementsRoot,
} from "../../core/requirements";

/** Where the host's CA bundle is on Debian-like systems, when `build.caCertificates: system`. */
const SYSTEM_CA_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/cert.pem",
];
/** The notebook's own folder is shipped as code; these bounds keep a data folder out of the image. */
const MAX_MODULES = 200;
const MAX_MODULE_BYTES = 5 * 1024 * 1024;
/** The build context is made in memory: local packages and wheel folders stay below this. */
const MAX_LOCAL_BYTES = 200 * 1024 * 1024;
/** What a local package's folder holds that pip does not need. */
const LEFT_OUT_OF_PACKAGES = new Set([".git", "__pycache__", ".parity", ".venv", "node_modules"]);

/** A notebook with its profile, requirements and code, ready to build and run anywhere. */
export interface LoadedJob {
  name: string;
  notebookFile: string;
  workspaceDir: string;
  profile: ResolvedProfile;
  notebook: NotebookJob;
  /** The generated script's file name inside the image's job folder; see scriptNameFor. */
  scriptName: string;
  requirements: ParsedRequirements;
  /** Python modules next to the notebook, shipped with it (import names). */
  workspaceModules: string[];
  plan: BuildPlan;
}

export interface LoadJobOptions {
  /** An explicit parity.yaml; otherwise the nearest one above the notebook, or the embedded default. */
  profileFile?: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The id of a base image where known (e.g. asked of the engine), so a changed base rebuilds. */
  baseImageId?: (baseImage: string) => Promise<string | undefined>;
  /** More files for the image's job folder (a pipeline's step scripts). */
  jobFiles?: ContextFile[];
}

export async function loadJob(notebookPath: string, options: LoadJobOptions): Promise<LoadedJob> {
  const notebookFile = path.resolve(options.cwd, notebookPath);
  const notebookDir = path.dirname(notebookFile);
  const text = await readText(notebookFile, "the notebook");
  const notebook = convertNotebook(text, notebookFile);
  const profile = await resolveProfileFor(notebookDir, options);
  const name = path.basename(notebookFile).replace(/\.(ipynb|py)$/i, "");
  const scriptName = scriptNameFor(name);

  const { requirements, pip } = await collectRequirements(profile, notebook, notebookFile);
  const modules = await siblingModules(notebookDir, notebookFile);
  const jobFiles: ContextFile[] = [
    { path: scriptName, content: notebook.script },
    ...modules.files,
    ...(options.jobFiles ?? []),
  ];
  const plan = planBuild({
    imageName: imageNameFor(profile.name),
    dockerfile: {
      baseImage: profile.profile.image.base,
      systemPackages: profile.profile.image.systemPackages,
      entryScript: scriptName,
    },
    pip,
    jobFiles,
    caBundle: await readCaBundle(profile, options.env ?? process.env),
    baseImageId: await options.baseImageId?.(profile.profile.image.base),
  });
  return {
    name,
    notebookFile,
    workspaceDir: profile.dir,
    profile,
    notebook,
    scriptName,
    requirements,
    workspaceModules: modules.names,
    plan,
  };
}

/**
 * The script's folder comes first on the job's sys.path, so a script named like a module (json.py
 * for json.ipynb) would be imported in its place. A dot in the stem makes a file no import can
 * name, while the notebook's name still shows in a traceback: json.ipynb runs as json.parity.py.
 */
export function scriptNameFor(notebookName: string): string {
  return `${notebookName.replace(/[^A-Za-z0-9_.-]/g, "_")}.parity.py`;
}

/**
 * The job's environment: the profile's env and the `-p name=value` overrides, refused (with the
 * variable and its size) when the job could not start with it. Cheap: callers check it before a build.
 */
export function jobEnvFor(loaded: LoadedJob, overrides: string[]): Record<string, string> {
  const entries = encodeParameterOverrides(overrides, loaded.notebook.parameters);
  const env: Record<string, string> = { ...loaded.profile.profile.env };
  if (entries.length > 0) env[PARAMETERS_VARIABLE] = `{${entries.join(",")}}`;
  const label = (name: string): string =>
    name === PARAMETERS_VARIABLE ? `${name} (the -p parameters)` : `env.${name}`;
  const [problem] = envProblems(env, label);
  if (problem) {
    // The profile's own variables were checked as it was read: what is left comes with the parameters.
    throw new ParityError("EnvTooLarge", problem.message, {
      fix: problem.fix,
      location:
        problem.name === PARAMETERS_VARIABLE
          ? undefined
          : { file: loaded.profile.file, field: "env", line: loaded.profile.lineOf(["env"]) },
    });
  }
  return env;
}

/** The job to run from a loaded notebook and its built image, with `-p name=value` overrides. */
export function jobSpecFor(
  loaded: LoadedJob,
  image: string,
  overrides: string[] = [],
  moduleDistributions: Readonly<Record<string, readonly string[]>> = {},
): JobSpec {
  const scriptPath = `${JOB_DIR}/${loaded.scriptName}`;
  const env = jobEnvFor(loaded, overrides);
  return {
    name: loaded.name,
    notebookFile: loaded.notebookFile,
    workspaceDir: loaded.workspaceDir,
    workingDir: path.relative(loaded.workspaceDir, path.dirname(loaded.notebookFile)),
    outputsDir: loaded.profile.paths.outputs,
    image,
    command: ["python", scriptPath],
    env,
    limits: loaded.profile.limits,
    explainTraceback: explainTracebackOf(loaded.notebookFile, loaded.notebook.lineMap, scriptPath),
    distributionFor: (module) => distributionForImport(module, moduleDistributions),
  };
}

/**
 * Maps a Python traceback in a job's output, from the generated script at `scriptPath`, back to
 * the notebook's cell and line (a percent-format script's own line).
 */
export function explainTracebackOf(
  notebookFile: string,
  lineMap: LineMap,
  scriptPath: string,
): NonNullable<JobSpec["explainTraceback"]> {
  const isScript = notebookFile.endsWith(".py");
  return (output) => {
    const traceback = mapTraceback(output, lineMap, scriptPath);
    if (!traceback) return undefined;
    const origin = traceback.origin;
    return {
      exception: traceback.exceptionType,
      message: traceback.message,
      location: origin && {
        file: notebookFile,
        cell: isScript ? undefined : origin.cell,
        cellId: origin.cellId,
        line: origin.fileLine ?? origin.line,
        source: origin.code,
      },
    };
  };
}

/** The profile for a file in `notebookDir`: the one named, else the nearest parity.yaml above it, else the embedded default. */
export async function resolveProfileFor(
  notebookDir: string,
  options: LoadJobOptions,
): Promise<ResolvedProfile> {
  if (options.profileFile) return loadProfile(path.resolve(options.cwd, options.profileFile));
  const stop = isInside(notebookDir, options.cwd) ? options.cwd : path.parse(notebookDir).root;
  const found = await findProfileFile(notebookDir, stop);
  return found ? loadProfile(found) : defaultProfile(notebookDir);
}

/** The profile's requirements file and the notebook's %pip lines, read as pip reads them. */
async function collectRequirements(
  profile: ResolvedProfile,
  notebook: NotebookJob,
  notebookFile: string,
): Promise<{ requirements: ParsedRequirements; pip: PipInputs }> {
  const projectDir = profile.dir;
  const roots: RequirementsRoot[] = [];
  const file = profile.paths.requirements;
  if (file) {
    const text = await readOptional(file);
    const location = {
      file: profile.file,
      field: "image.requirements",
      line: profile.lineOf(["image", "requirements"]),
    };
    if (text === undefined && profile.source === "file" && profile.profile.image.requirements) {
      throw new ParityError("RequirementsNotFound", `The requirements file ${file} does not exist.`, {
        location,
        fix: "Create it, or correct image.requirements in parity.yaml.",
      });
    }
    if (text !== undefined && !isInside(file, projectDir)) {
      throw new ParityError(
        "RequirementsOutsideProject",
        `The requirements file ${file} is outside the project folder (${projectDir}), which is all the image build sees.`,
        { location, fix: "Move it into the project (beside parity.yaml or below), and name it there." },
      );
    }
    if (text !== undefined) roots.push({ file, text });
  }
  if (notebook.requirements.length > 0) {
    // Beside the notebook, so that pip reads `-r extra.txt` from the notebook's folder, as %pip does.
    roots.push({
      file: path.join(path.dirname(notebookFile), `${path.basename(notebookFile)}.pip-requirements.txt`),
      text: `${notebook.requirements.join("\n")}\n`,
      origin: notebookFile,
    });
  }
  const texts = new Map(roots.map((root) => [root.file, root.text ?? ""]));
  const requirements = await readRequirements(roots, {
    projectDir,
    reader: {
      read: async (included) => {
        const text = await readOptional(included);
        if (text !== undefined) texts.set(included, text);
        return text;
      },
      kind: async (entry) => {
        const found = await stat(entry).catch(() => undefined);
        return found?.isDirectory() ? "directory" : found?.isFile() ? "file" : undefined;
      },
    },
  });
  const problem = requirements.problems[0];
  if (problem) {
    const others = requirements.problems.length - 1;
    throw new ParityError(
      "InvalidRequirement",
      `${describeSource(problem, requirements.file)}: ${problem.message}${others > 0 ? ` (and ${others} more problem${others === 1 ? "" : "s"})` : ""}.`,
      {
        location: {
          file: problem.file ?? requirements.file,
          ...(problem.line > 0 ? { line: problem.line } : {}),
          ...(problem.field ? { field: problem.field } : {}),
        },
        fix:
          problem.fix ??
          "Write one requirement or option a line, as pip reads requirement files (name[extras] specifiers ; marker, -r file, --index-url URL).",
      },
    );
  }
  const files: ContextFile[] = [...new Set(requirements.files)].map((read) => ({
    path: projectPath(projectDir, read),
    content: texts.get(read) ?? "",
  }));
  for (const local of requirements.localPaths)
    files.push(...(await localFiles(local, requirements.file, projectDir)));
  return {
    requirements,
    pip: { roots: roots.map((root) => projectPath(projectDir, root.file)), files: uniqueByPath(files) },
  };
}

/** The files of a local package or --find-links folder, for the build context. */
async function localFiles(
  local: LocalPath,
  requirementsFile: string,
  projectDir: string,
): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  let total = 0;
  const refuse = (message: string): never => {
    throw new ParityError(
      "LocalRequirementRefused",
      `${describeSource(local, requirementsFile)}: ${message}`,
      {
        location: { file: local.file ?? requirementsFile, ...(local.line > 0 ? { line: local.line } : {}) },
        fix: "Keep local packages and wheel folders inside the project, small and without links out of it.",
      },
    );
  };
  const realProject = await realpath(projectDir);
  const visit = async (entry: string): Promise<void> => {
    const real = await realpath(entry);
    if (!isInside(real, realProject)) refuse(`${entry} leads to ${real}, outside the project folder.`);
    const info = await stat(real);
    if (info.isDirectory()) {
      for (const child of await readdir(entry)) {
        if (!LEFT_OUT_OF_PACKAGES.has(child)) await visit(path.join(entry, child));
      }
    } else if (info.isFile()) {
      total += info.size;
      if (total > MAX_LOCAL_BYTES)
        refuse(`${local.path} holds more than ${MAX_LOCAL_BYTES / 1024 ** 2} MiB of files.`);
      files.push({
        path: projectPath(projectDir, entry),
        content: await readFile(real),
        mode: info.mode & 0o111 ? 0o755 : 0o644,
      });
    }
  };
  await visit(local.path);
  return files;
}

/** "/"-separated, relative to the project: where the file is in the build context's project folder. */
function projectPath(projectDir: string, file: string): string {
  return path.relative(projectDir, file).split(path.sep).join("/");
}

function uniqueByPath(files: ContextFile[]): ContextFile[] {
  return [...new Map(files.map((file) => [file.path, file])).values()];
}

async function siblingModules(
  dir: string,
  notebookFile: string,
): Promise<{ files: ContextFile[]; names: string[] }> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Only importable names: the script's own (see scriptNameFor) is never one of them.
  const candidates = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".py"))
    .filter(
      (entry) =>
        path.join(dir, entry.name) !== notebookFile && /^[A-Za-z_][A-Za-z0-9_]*\.py$/.test(entry.name),
    )
    .slice(0, MAX_MODULES);
  const files: ContextFile[] = [];
  let total = 0;
  for (const entry of candidates) {
    const file = path.join(dir, entry.name);
    total += (await stat(file)).size;
    if (total > MAX_MODULE_BYTES) break;
    files.push({ path: entry.name, content: await readFile(file) });
  }
  return { files, names: files.map((file) => file.path.replace(/\.py$/, "")) };
}

/** The certificates the build trusts while it installs dependencies (build.caCertificates). */
export async function readCaBundle(
  profile: ResolvedProfile,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const wanted = profile.paths.caCertificates;
  const location = {
    file: profile.file,
    field: "build.caCertificates",
    line: profile.lineOf(["build", "caCertificates"]),
  };
  if (wanted === "system") {
    const candidates = [env.SSL_CERT_FILE, ...SYSTEM_CA_BUNDLES].filter((file): file is string =>
      Boolean(file),
    );
    for (const file of candidates) {
      const text = await readOptional(file);
      if (text) return text;
    }
    throw new ParityError("NoSystemCaBundle", "No CA bundle was found on this machine.", {
      location,
      fix: `List the certificate files in build.caCertificates instead (looked in ${candidates.join(", ")}).`,
    });
  }
  if (wanted.length === 0) return undefined;
  const parts: string[] = [];
  for (const file of wanted) {
    const text = await readOptional(file);
    if (text === undefined || !text.includes("-----BEGIN CERTIFICATE-----")) {
      throw new ParityError("InvalidCaCertificate", `${file} is not a readable PEM certificate file.`, {
        location,
        fix: "Name PEM files (-----BEGIN CERTIFICATE-----) relative to parity.yaml.",
      });
    }
    parts.push(text.trim());
  }
  return `${parts.join("\n")}\n`;
}

async function readText(file: string, what: string): Promise<string> {
  const text = await readOptional(file);
  if (text === undefined) {
    throw new ParityError("FileNotFound", `Cannot read ${what} at ${file}.`, {
      location: { file },
      fix: "Check the path and that the file is readable.",
    });
  }
  return text;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}
