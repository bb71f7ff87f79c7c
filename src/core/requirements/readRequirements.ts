import path from "node:path";
import { isInside } from "../paths";
import { emptyRequirements, parseRequirements } from "./parseRequirements";
import type { LineSource, ParsedRequirements } from "./types";

/** How the caller reads files; core does no I/O of its own. */
export interface RequirementsReader {
  /** The file's text, or undefined when there is no such file. */
  read(file: string): Promise<string | undefined>;
  kind(file: string): Promise<"file" | "directory" | undefined>;
}

export interface RequirementsRoot {
  /** Absolute. */
  file: string;
  /** The lines, when they are not read from `file` (a notebook's %pip lines, given a file name beside it). */
  text?: string;
  /** Where such lines were written (the notebook): named in messages, with no line number. */
  origin?: string;
}

export interface ReadRequirementsOptions {
  /**
   * The project's folder: the image build runs pip there, so local paths are relative to it (as
   * `pip install -r requirements.txt` run there reads them), and nothing outside it can be read.
   */
  projectDir: string;
  reader: RequirementsReader;
}

/**
 * The requirement files as pip reads them, one after the other: `-r` and `-c` followed relative to
 * the file that names them (cycles refused), local paths resolved and checked. Never throws:
 * what pip would refuse, and what the image build cannot see, comes back in `problems`.
 */
export async function readRequirements(
  roots: RequirementsRoot[],
  options: ReadRequirementsOptions,
): Promise<ParsedRequirements> {
  const mainFile = roots.find((root) => !root.origin)?.file ?? "requirements.txt";
  const merged = emptyRequirements(mainFile, []);
  const seen = new Set<string>();
  const visited = new Set<string>();

  const walk = async (
    file: string,
    text: string,
    constraints: boolean,
    root: RequirementsRoot,
    chain: string[],
  ): Promise<void> => {
    merged.files.push(file);
    const parsed = parseRequirements(text, file);
    const where = <T extends LineSource>(entry: T): T =>
      root.origin ? { ...entry, file: root.origin, line: 0 } : file === mainFile ? entry : { ...entry, file };
    const problem = (at: LineSource & { text?: string; field?: string }, message: string): void => {
      merged.problems.push(
        where({ line: at.line, text: at.text ?? "", message, ...(at.field ? { field: at.field } : {}) }),
      );
    };
    merged.problems.push(...parsed.problems.map(where));
    for (const requirement of parsed.requirements) {
      if (constraints) merged.constraints.push(where(requirement));
      else if (!seen.has(requirement.text)) {
        seen.add(requirement.text);
        merged.requirements.push(where(requirement));
      }
    }
    merged.unpinnable.push(...parsed.unpinnable.map(where));
    merged.options.push(...parsed.options.map(where));
    // pip's current folder: a notebook's %pip lines run where the notebook is.
    const cwd = root.origin ? path.dirname(root.file) : options.projectDir;
    for (const local of parsed.localPaths) {
      const text = `${local.kind === "find-links" ? "--find-links " : ""}${local.path}`;
      if (path.isAbsolute(local.path)) {
        problem(
          local,
          `${local.path} is an absolute path on this machine, which the image build cannot see; write it relative to the project`,
        );
        continue;
      }
      // pip looks for a --find-links folder beside the requirements file first.
      const besideFile = path.resolve(path.dirname(file), local.path);
      const resolved =
        local.kind === "find-links" && (await options.reader.kind(besideFile))
          ? besideFile
          : path.resolve(cwd, local.path);
      const refusal = await localPathProblem(resolved, local.kind, cwd, options);
      if (refusal) problem({ ...local, text }, `${text}: ${refusal}`);
      else merged.localPaths.push(where({ ...local, path: resolved }));
    }
    for (const include of parsed.includes) {
      const option = include.kind === "constraints" ? "-c" : "-r";
      const text = `${option} ${include.path}`;
      const resolved = path.resolve(path.dirname(file), include.path);
      const refuse = (message: string): void =>
        problem({ ...include, text, field: option }, `${text}: ${message}`);
      if (path.isAbsolute(include.path)) {
        refuse(
          "an absolute path names a place on this machine, which the image build cannot see; write it relative to this file",
        );
        continue;
      }
      if (!isInside(resolved, options.projectDir)) {
        refuse(
          `${resolved} is outside the project folder (${options.projectDir}), which is all the image build sees`,
        );
        continue;
      }
      const reading = [...chain, file];
      if (reading.includes(resolved)) {
        const cycle = [...reading.slice(reading.indexOf(resolved)), resolved].map((entry) =>
          path.basename(entry),
        );
        refuse(`the files include one another in a cycle (${cycle.join(" → ")})`);
        continue;
      }
      merged.includes.push(where({ ...include, path: resolved }));
      const nested = include.kind === "constraints";
      const key = `${nested}:${resolved}`;
      if (visited.has(key)) continue;
      visited.add(key);
      const included = await options.reader.read(resolved);
      if (included === undefined) {
        refuse(`${resolved} does not exist`);
        continue;
      }
      await walk(resolved, included, nested, root, reading);
    }
  };

  for (const root of roots) {
    const text = root.text ?? (await options.reader.read(root.file));
    if (text === undefined) {
      merged.problems.push({ line: 0, file: root.file, text: "", message: `${root.file} does not exist` });
      continue;
    }
    if (!isInside(root.file, options.projectDir)) {
      merged.problems.push({
        line: 0,
        file: root.file,
        text: "",
        message: `${root.file} is outside the project folder (${options.projectDir}), which is all the image build sees`,
      });
      continue;
    }
    visited.add(`false:${root.file}`);
    await walk(root.file, text, false, root, []);
  }
  return merged;
}

async function localPathProblem(
  resolved: string,
  kind: "package" | "find-links",
  cwd: string,
  options: ReadRequirementsOptions,
): Promise<string | undefined> {
  if (!isInside(resolved, options.projectDir)) {
    return `${resolved} is outside the project folder (${options.projectDir}), which is all the image build sees`;
  }
  if (cwd !== options.projectDir && kind === "package") {
    return `pip reads this path from the notebook's folder, but the image build runs pip in the project folder (${options.projectDir}); list it in the profile's requirements file, relative to the project`;
  }
  const found = await options.reader.kind(resolved);
  if (!found) return `${resolved} does not exist`;
  if (kind === "find-links" || found === "file") return undefined;
  const project = await Promise.all(
    ["pyproject.toml", "setup.py"].map((name) => options.reader.kind(path.join(resolved, name))),
  );
  return project.some(Boolean)
    ? undefined
    : `${resolved} is a folder with neither setup.py nor pyproject.toml, so pip cannot install it`;
}
