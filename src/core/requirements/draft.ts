import type { Environment } from "../environment/types";
import { STDLIB_FALLBACK } from "../parity/stdlibFallback";
import { IMPORT_TO_DISTRIBUTION, normalizeName } from "./names";
import { parseRequirements } from "./parseRequirements";
import type { ParsedRequirements } from "./types";

/** What a draft needs to know of the notebook's interpreter. */
export type InterpreterPackages = Pick<
  Environment,
  "distributions" | "moduleDistributions" | "stdlibModules" | "submoduleDistributions" | "localDistributions"
>;

export interface DraftRequirementsInput {
  /** What the notebook imports, as dotted paths ("sklearn.linear_model", "google.cloud.storage"). */
  imports: readonly string[];
  /** Modules and packages beside the notebook: shipped with it, never installed. */
  localModules: readonly string[];
  /**
   * Folders beside the notebook without __init__.py: namespace packages, imported from there only
   * when no installed distribution provides a package of that name (an installed one comes first).
   */
  localNamespaces?: readonly string[];
  /** Lines of the notebook's own %pip installs: what they install is left to them. */
  notebookRequirements: readonly string[];
  /** The notebook's interpreter, when it was run. */
  interpreter?: InterpreterPackages;
}

/** One import as a requirement: pinned to the interpreter's version, or unpinned when it was not run. */
export interface DraftedRequirement {
  module: string;
  /** PEP 503 name of the distribution that provides it ("scikit-learn" for sklearn). */
  distribution: string;
  version?: string;
  /** The requirements file's line: "scikit-learn==1.7.2", or "scikit-learn" without a version. */
  line: string;
}

export interface DraftedRequirements {
  requirements: DraftedRequirement[];
  /** Imports the interpreter does not have: which distribution provides them is unknown. */
  notInstalled: string[];
  /**
   * Imports whose distribution Parity cannot tell: several provide the package (google) and the
   * interpreter does not say which has the part imported, or no name fits a requirements file.
   */
  unresolved: string[];
  /** Distributions installed from a local folder or file (the project's own, editable): on no index. */
  localInstalls: string[];
}

/** PEP 508's name: what pip accepts as a distribution's name. */
const DISTRIBUTION_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/**
 * Top-level packages that many distributions share, each providing a part (google.cloud.storage is
 * google-cloud-storage, google.protobuf is protobuf): never a distribution's name by themselves.
 */
const NAMESPACE_PACKAGES: ReadonlySet<string> = new Set(["google", "azure", "backports", "jaraco", "zope"]);

/**
 * The notebook's imports as requirements: the standard library, modules beside the notebook and
 * what its %pip lines install left out; each import named by its distribution (the interpreter's
 * packages_distributions(), else a built-in table) and pinned to the interpreter's version. What
 * cannot be named for certain is left out and said, never guessed.
 */
export function draftRequirements(input: DraftRequirementsInput): DraftedRequirements {
  const { interpreter } = input;
  const stdlib = interpreter?.stdlibModules.length ? new Set(interpreter.stdlibModules) : STDLIB_FALLBACK;
  const local = new Set(input.localModules);
  const namespaces = new Set(input.localNamespaces);
  const localInstalls = new Set(interpreter?.localDistributions ?? []);
  const byNotebook = listedNames(parseRequirements(input.notebookRequirements.join("\n")));
  const drafted: DraftedRequirements = {
    requirements: [],
    notInstalled: [],
    unresolved: [],
    localInstalls: [],
  };
  const requirements = new Map<string, DraftedRequirement>();
  for (const [top, paths] of byTopLevel(input.imports)) {
    if (stdlib.has(top) || local.has(top)) continue;
    if (namespaces.has(top) && !interpreter?.moduleDistributions[top]?.length) continue;
    // CPython's private modules (_thread) and C extensions' (_cffi_backend): only a probe can name their distribution.
    if (!interpreter && top.startsWith("_")) continue;
    for (const { module, distribution } of distributionsOf(top, paths, interpreter)) {
      if (!distribution || !DISTRIBUTION_NAME.test(distribution)) {
        drafted.unresolved.push(module);
        continue;
      }
      if (byNotebook.has(distribution) || requirements.has(distribution)) continue;
      if (localInstalls.has(distribution)) {
        if (!drafted.localInstalls.includes(distribution)) drafted.localInstalls.push(distribution);
        continue;
      }
      if (!interpreter) {
        requirements.set(distribution, { module, distribution, line: distribution });
        continue;
      }
      const version = interpreter.distributions[distribution];
      if (version === undefined) drafted.notInstalled.push(module);
      else
        requirements.set(distribution, {
          module,
          distribution,
          version,
          line: `${distribution}==${version}`,
        });
    }
  }
  drafted.requirements = [...requirements.values()].sort((a, b) =>
    a.distribution.localeCompare(b.distribution),
  );
  return drafted;
}

/** The imports by their top-level name, sorted: "google" → ["google.cloud.storage", "google.protobuf"]. */
function byTopLevel(imports: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const module of [...new Set(imports)].sort()) {
    const top = module.split(".")[0]!;
    groups.set(top, [...(groups.get(top) ?? []), module]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Which distribution provides each import under `top`: one for the whole package when a single
 * distribution provides it; else, for a package several share, the one with files in the longest
 * part of each import's path the probe knows; undefined (unresolved) when that is not one.
 */
function distributionsOf(
  top: string,
  paths: readonly string[],
  interpreter: InterpreterPackages | undefined,
): { module: string; distribution?: string }[] {
  const probed = interpreter?.moduleDistributions[top] ?? [];
  const shared = probed.length > 1 || (probed.length === 0 && NAMESPACE_PACKAGES.has(top));
  if (!shared) {
    const name = probed[0] ?? IMPORT_TO_DISTRIBUTION[top] ?? top;
    return [{ module: top, distribution: normalizeName(name) }];
  }
  const submodules = interpreter?.submoduleDistributions ?? {};
  const found = paths.map((module) => {
    const parts = module.split(".");
    for (let depth = parts.length; depth >= 2; depth--) {
      const providers = submodules[parts.slice(0, depth).join(".")];
      if (!providers) continue;
      return {
        module: parts.slice(0, depth).join("."),
        distribution: providers.length === 1 ? normalizeName(providers[0]!) : undefined,
      };
    }
    return { module };
  });
  // One line per module: `from google.cloud import storage, bigquery` and `import google.cloud.storage` say it twice.
  return [...new Map(found.map((entry) => [entry.module, entry])).values()];
}

/** The requirements file as it is: its own text and what pip reads with it. */
export interface ExistingRequirements {
  /** The file's own text: what is added goes at its end, in its line endings. */
  text: string;
  /** The file read as pip reads it, with the files it includes (-r) followed. */
  parsed: ParsedRequirements;
  /** The text of every file read (the file and those it includes). */
  texts: readonly string[];
}

export interface RequirementsAddition {
  /** What to insert at the end of the file (the whole text of a new one); "" when nothing is added. */
  text: string;
  /** The requirements the text adds. */
  added: DraftedRequirement[];
  /**
   * Requirements the file lacks but that were not added, because it is hash-checked (--hash,
   * --require-hashes): pip refuses a line without its hashes there.
   */
  needHashes: DraftedRequirement[];
}

/**
 * The lines a requirements file needs for `wanted`: only the distributions it (and the files it
 * includes) does not name yet, after what is there (`current`: undefined when there is no file),
 * in its line endings. A new file starts with a comment naming `notebook`, written so that no
 * character of the name can start a line of its own.
 */
export function requirementsAddition(
  current: ExistingRequirements | undefined,
  wanted: readonly DraftedRequirement[],
  notebook: string,
): RequirementsAddition {
  const listed = current ? listedNames(current.parsed) : new Set<string>();
  const missing = wanted.filter((requirement) => !listed.has(requirement.distribution));
  if (missing.length === 0) return { text: "", added: [], needHashes: [] };
  if (current && isHashChecked(current)) return { text: "", added: [], needHashes: missing };
  const lines = missing.map((requirement) => requirement.line);
  if (current === undefined) {
    const pinned = missing.every((requirement) => requirement.version !== undefined);
    const header = pinned
      ? `# What ${commentText(notebook)} imports, pinned to the versions of its interpreter (Parity: Create Profile).`
      : `# What ${commentText(notebook)} imports, not pinned: its interpreter was not run (Parity: Create Profile).`;
    return { text: [header, ...lines, ""].join("\n"), added: missing, needHashes: [] };
  }
  const eol = current.text.includes("\r\n") ? "\r\n" : "\n";
  const separator = current.text === "" || current.text.endsWith("\n") ? "" : eol;
  return { text: `${separator}${lines.join(eol)}${eol}`, added: missing, needHashes: [] };
}

/**
 * `text` for a comment line: every character that pip (Python's str.splitlines()) or an editor
 * takes for a line break, or that is not printable, becomes a space.
 */
function commentText(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, " ");
}

/** pip checks every requirement's hash once one line has --hash, or with --require-hashes. */
function isHashChecked(current: ExistingRequirements): boolean {
  if (current.parsed.options.some((option) => option.name === "--require-hashes")) return true;
  return current.texts.some((text) =>
    text.split(/\r?\n/).some((line) => /(?:^|\s)--hash[=\s]/.test(line.replace(/(?:^|\s)#.*$/, ""))),
  );
}

/** The distributions a requirements file names, pinned or not, by any means pip accepts. */
function listedNames(parsed: ParsedRequirements): Set<string> {
  const names = new Set(parsed.requirements.map((requirement) => requirement.normalizedName));
  for (const entry of parsed.unpinnable) if (entry.normalizedName) names.add(entry.normalizedName);
  return names;
}

/**
 * What a user is told of a draft beside what it lists: what was left out and why, what is not
 * pinned, and what a pin cannot get from PyPI alone. One sentence each.
 */
export function draftNotes(drafted: DraftedRequirements): string[] {
  const notes: string[] = [];
  const list = (names: string[]): string => names.join(", ");
  const one = (names: unknown[]): boolean => names.length === 1;
  if (drafted.requirements.some((requirement) => requirement.version === undefined))
    notes.push(
      "The requirements are not pinned, as the interpreter was not run: Check Parity offers the pins once it can.",
    );
  const labelled = drafted.requirements.filter((requirement) => requirement.version?.includes("+"));
  if (labelled.length > 0)
    notes.push(
      `${list(labelled.map((requirement) => requirement.line))} ${one(labelled) ? "has a local version label" : "have local version labels"} (after "+"), which PyPI does not serve: add the index ${one(labelled) ? "it" : "they"} came from to requirements.txt (--extra-index-url; PyTorch's +cu121 builds come from https://download.pytorch.org/whl/cu121).`,
    );
  const missing = drafted.notInstalled;
  if (missing.length > 0)
    notes.push(
      `${list(missing)} ${one(missing) ? "is" : "are"} not installed in the notebook's interpreter, so ${one(missing) ? "it was" : "they were"} left out: add ${one(missing) ? "the package that provides it" : "the packages that provide them"}, pinned.`,
    );
  const unresolved = drafted.unresolved;
  if (unresolved.length > 0)
    notes.push(
      `Parity cannot tell which distribution provides ${list(unresolved)} (several share the package, or the name is not one pip accepts), so ${one(unresolved) ? "it was" : "they were"} left out: add the one the notebook uses, pinned.`,
    );
  const local = drafted.localInstalls;
  if (local.length > 0)
    notes.push(
      `${list(local)} ${one(local) ? "is" : "are"} installed from a folder on this machine (an editable or local install), not from an index, so ${one(local) ? "it was" : "they were"} left out: list ${one(local) ? "its" : "their"} folder in requirements.txt (a path relative to it) if the image needs ${one(local) ? "it" : "them"}.`,
    );
  return notes;
}
