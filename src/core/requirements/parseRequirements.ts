import { markerProblem } from "./marker";
import { normalizeName } from "./names";
import { splitOptions } from "./shlex";
import type {
  ParsedRequirements,
  PipFileOption,
  Requirement,
  SpecifierOperator,
  UnpinnableRequirement,
  VersionSpecifier,
} from "./types";

const NAME_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/;
// A version starts with a digit (or a "v", which pip tolerates), so "numpy>>1" is not "> >1".
const SPECIFIER_PATTERN = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([0-9vV*][^\s,;<>=!~]*)\s*$/;
const VCS_PATTERN = /^(git|hg|svn|bzr)\+/i;
const COMMIT_PATTERN = /@([0-9a-f]{7,40})(?:#|$)/i;
// pip's URL test: a scheme it can fetch from, or a version control system's.
const URL_PATTERN = /^(?:https?|file|ftp|git|svn|(?:git|hg|svn|bzr)\+[a-z]+):/i;
const ARCHIVE_PATTERN = /\.(?:whl|zip|tar\.gz|tgz|tar|tar\.bz2|tbz|tar\.xz|txz|tar\.lz|tlz)$/i;
// pip's rules: "#" starts a comment at the line start or after whitespace (URLs keep their fragments),
// and "${NAME}" is replaced from the environment of the process that runs pip.
const COMMENT_PATTERN = /(^|\s+)#.*$/;
const ENV_VARIABLE = /\$\{[A-Z0-9_]+\}/;
const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const PACKAGE_LIST =
  /^(?::all:|:none:|[A-Za-z0-9][A-Za-z0-9._-]*)(?:,(?::all:|:none:|[A-Za-z0-9][A-Za-z0-9._-]*))*$/;

/**
 * The options pip accepts in a requirements file, by long name (`--pypi-url` is an old alias).
 * `per-requirement` ones go on a requirement's own line; the others on a line of their own.
 */
type OptionRole = "include" | "constraint" | "editable" | "pip" | "per-requirement";
const OPTIONS: ReadonlyArray<{ long: string; short?: string; value: boolean; role: OptionRole }> = [
  { long: "--index-url", short: "-i", value: true, role: "pip" },
  { long: "--pypi-url", value: true, role: "pip" },
  { long: "--extra-index-url", value: true, role: "pip" },
  { long: "--no-index", value: false, role: "pip" },
  { long: "--find-links", short: "-f", value: true, role: "pip" },
  { long: "--trusted-host", value: true, role: "pip" },
  { long: "--pre", value: false, role: "pip" },
  { long: "--prefer-binary", value: false, role: "pip" },
  { long: "--only-binary", value: true, role: "pip" },
  { long: "--no-binary", value: true, role: "pip" },
  { long: "--require-hashes", value: false, role: "pip" },
  { long: "--use-feature", value: true, role: "pip" },
  { long: "--requirement", short: "-r", value: true, role: "include" },
  { long: "--constraint", short: "-c", value: true, role: "constraint" },
  { long: "--editable", short: "-e", value: true, role: "editable" },
  { long: "--hash", value: true, role: "per-requirement" },
  { long: "--global-option", value: true, role: "per-requirement" },
  { long: "--config-settings", value: true, role: "per-requirement" },
];
type OptionSpec = (typeof OPTIONS)[number];

interface ParsedOption {
  spec: OptionSpec;
  /** As written, for messages: "-i", "--extra-index". */
  written: string;
  value?: string;
}

/**
 * One requirements file read as pip reads it: continuations, comments, options and requirements.
 * `-r`/`-c` come back in `includes`, not followed: `readRequirements` follows them. Never throws:
 * what pip would refuse, and what Parity cannot carry into the image build, is in `problems`.
 */
/** Requirements of `file` with nothing in them yet, reading `files`. */
export function emptyRequirements(file: string, files: string[] = [file]): ParsedRequirements {
  return {
    file,
    files,
    requirements: [],
    constraints: [],
    unpinnable: [],
    includes: [],
    options: [],
    localPaths: [],
    problems: [],
  };
}

export function parseRequirements(text: string, file = "requirements.txt"): ParsedRequirements {
  const parsed = emptyRequirements(file);
  for (const { line, text: content } of logicalLines(text)) {
    const problem = (message: string, field?: string, fix?: string): void => {
      parsed.problems.push({
        line,
        text: content,
        message,
        ...(field ? { field } : {}),
        ...(fix ? { fix } : {}),
      });
    };
    if (ENV_VARIABLE.test(content)) {
      problem(
        `${ENV_VARIABLE.exec(content)![0]} is an environment variable, which pip would read in the image build, where it is not set`,
        undefined,
        "Write the value itself in the file.",
      );
      continue;
    }
    const { args, options: optionText } = breakArgsOptions(content);
    // The requirement first: in "numpy; rm -rf /" pip stops at the marker "rm", before "-rf".
    const problems = parsed.problems.length;
    if (args) parseRequirementLine(args, line, content, parsed);
    if (parsed.problems.length > problems) continue;
    const options = readOptions(optionText);
    if (typeof options === "string") {
      problem(options);
      continue;
    }
    const misplaced = args ? options.find((option) => option.spec.role !== "per-requirement") : undefined;
    if (misplaced) {
      problem(
        `${misplaced.written} cannot follow a requirement: put it on a line of its own`,
        misplaced.written,
      );
    } else if (!args) {
      for (const option of options) addOption(option, line, content, parsed);
    }
  }
  return parsed;
}

/** pip's `join_lines` and `ignore_comments`: a line ending in "\" goes on, unless it is a comment. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const result: Array<{ line: number; text: string }> = [];
  let pending: { line: number; text: string } | undefined;
  const finish = (entry: { line: number; text: string }): void => {
    const content = entry.text.replace(COMMENT_PATTERN, "").trim();
    if (content) result.push({ line: entry.line, text: content });
  };
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const comment = /^\s*#/.test(raw);
    if (!raw.endsWith("\\") || comment) {
      // A comment line ends a continuation, and is then a comment of its own.
      const body = comment ? ` ${raw}` : raw;
      finish(pending ? { line: pending.line, text: pending.text + body } : { line: index + 1, text: body });
      pending = undefined;
    } else {
      const body = raw.replace(/^\\+|\\+$/g, "");
      pending = pending ? { line: pending.line, text: pending.text + body } : { line: index + 1, text: body };
    }
  });
  if (pending) finish(pending);
  return result;
}

/** pip's `break_args_options`: words up to the first that starts with "-" are the requirement. */
function breakArgsOptions(line: string): { args: string; options: string } {
  const tokens = line.split(" ");
  const first = tokens.findIndex((token) => token.startsWith("-"));
  const at = first < 0 ? tokens.length : first;
  return { args: tokens.slice(0, at).join(" ").trim(), options: tokens.slice(at).join(" ") };
}

/** optparse's reading of the option words, abbreviations of long names included. */
function readOptions(text: string): ParsedOption[] | string {
  const words = splitOptions(text);
  if (typeof words === "string") return `pip cannot read the options: ${words}`;
  const options: ParsedOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const [name, value] = splitOnce(word, "=");
      const found = longOption(name);
      if (typeof found === "string") return found;
      spec = found;
      inline = value;
    } else if (word.startsWith("-") && word.length > 1) {
      spec = OPTIONS.find((option) => option.short === word.slice(0, 2));
      if (!spec) return `pip has no option ${word.slice(0, 2)} in requirement files`;
      inline = word.length > 2 ? word.slice(2) : undefined;
    } else {
      const before = options.at(-1)?.written;
      return `pip would ignore "${word}"${before ? ` after ${before}` : ""}: put each requirement on a line of its own`;
    }
    if (!spec.value) {
      if (inline !== undefined) return `${spec.long} takes no value`;
      options.push({ spec, written: word });
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined || value === "") return `${word} needs a value`;
    options.push({ spec, written: word.replace(/=.*$/, ""), value });
  }
  return options;
}

function longOption(name: string): OptionSpec | string {
  const exact = OPTIONS.find((option) => option.long === name);
  if (exact) return exact;
  const matches = OPTIONS.filter((option) => option.long.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  return matches.length === 0
    ? `pip has no option ${name} in requirement files`
    : `${name} is ambiguous: it could be ${matches.map((option) => option.long).join(", ")}`;
}

function addOption(option: ParsedOption, line: number, text: string, parsed: ParsedRequirements): void {
  const { spec, value = "" } = option;
  const problem = (message: string, fix?: string): void => {
    parsed.problems.push({ line, text, message, field: option.written, ...(fix ? { fix } : {}) });
  };
  switch (spec.role) {
    case "per-requirement":
      return problem(`${option.written} belongs on the line of the requirement it applies to`);
    case "editable":
      return problem(
        `-e ${value} asks for an editable install, a link to a working copy for development, which the image would not keep`,
        "Drop -e: write name @ git+https://...@<commit> for a repository, or the path alone for a folder of the project, and pip installs it into the image.",
      );
    case "include":
    case "constraint": {
      if (URL_PATTERN.test(value)) {
        return problem(`${option.written} ${value}: Parity reads requirement files from the project only`);
      }
      parsed.includes.push({
        kind: spec.role === "include" ? "requirements" : "constraints",
        path: value,
        line,
      });
      return;
    }
  }
  const name = (spec.long === "--pypi-url" ? "--index-url" : spec.long) as PipFileOption;
  const invalid = optionValueProblem(name, value);
  if (invalid) return problem(invalid);
  parsed.options.push({ name, line, ...(spec.value ? { value } : {}) });
  if (name === "--find-links" && !/^https?:/i.test(value)) {
    parsed.localPaths.push({ path: value, kind: "find-links", line });
  }
}

function optionValueProblem(name: PipFileOption, value: string): string | undefined {
  switch (name) {
    case "--index-url":
    case "--extra-index-url":
      return isHttpUrl(value)
        ? undefined
        : `${name} ${value} is not an http(s) URL of a package index (for a folder of wheels in the project, use --find-links)`;
    case "--find-links":
      if (/^file:/i.test(value)) return `${name} ${value}: ${FILE_URL}`;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !isHttpUrl(value)) {
        return `${name} ${value} is neither an http(s) URL nor a path in the project`;
      }
      return undefined;
    case "--trusted-host":
      return HOST_PATTERN.test(value) ? undefined : `${name} ${value} is not a host name (host or host:port)`;
    case "--only-binary":
    case "--no-binary":
      return PACKAGE_LIST.test(value)
        ? undefined
        : `${name} ${value} is not :all:, :none: or a comma-separated list of package names`;
    case "--use-feature":
      return /^[a-z0-9-]+$/.test(value) ? undefined : `${name} ${value} is not the name of a pip feature`;
    default:
      return undefined;
  }
}

const FILE_URL =
  "a file: URL names a place on this machine, which the image build cannot see; write the path relative to the project";

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return Boolean(new URL(value).host);
  } catch {
    return false;
  }
}

/** pip's `parse_req_from_line`: a URL, a local path, or a PEP 508 requirement. */
function parseRequirementLine(text: string, line: number, written: string, parsed: ParsedRequirements): void {
  const problem = (message: string): void => {
    parsed.problems.push({ line, text: written, message });
  };
  const isUrl = URL_PATTERN.test(text);
  // pip's rule: after a URL, "; " (with the space) starts the marker, so URLs may hold ";".
  const separator = isUrl ? "; " : ";";
  const at = text.indexOf(separator);
  const body = (at < 0 ? text : text.slice(0, at)).trim();
  const marker = at < 0 ? undefined : text.slice(at + separator.length).trim();
  if (marker !== undefined) {
    const invalid = markerProblem(marker);
    if (invalid) return problem(invalid);
  }
  if (isUrl) {
    if (/^file:/i.test(body)) return problem(FILE_URL);
    parsed.unpinnable.push(unpinnable(body, line, text));
    return;
  }
  const direct = /^([^@]*?)\s*@\s*(\S.*)$/.exec(body);
  if (looksLikePath(body) && !(direct && !looksLikePath(direct[1]!))) {
    const path = body.replace(/\[[^\]]*\]$/, "");
    if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) {
      return problem(
        `${path} is an absolute path on this machine, which the image build cannot see; write it relative to the project`,
      );
    }
    parsed.unpinnable.push({ kind: "path", line, text });
    parsed.localPaths.push({ path, kind: "package", line });
    return;
  }
  if (direct) {
    if (!NAME_PATTERN.test(direct[1]!) || /\s/.test(direct[2]!)) {
      return problem(`"${text}" is not a valid requirement`);
    }
    if (/^file:/i.test(direct[2]!)) return problem(FILE_URL);
    if (!URL_PATTERN.test(direct[2]!)) return problem(`"${direct[2]}" is not a URL pip can install from`);
    parsed.unpinnable.push(unpinnable(direct[2]!, line, text, direct[1]!.replace(/\[.*$/, "").trim()));
    return;
  }
  const match = NAME_PATTERN.exec(body);
  const specifiers = match ? parseSpecifiers(match[3]!) : undefined;
  if (!match || !specifiers) return problem(`"${text}" is not a valid requirement`);
  const name = match[1]!;
  const requirement: Requirement = {
    name,
    normalizedName: normalizeName(name),
    extras: (match[2] ?? "")
      .split(",")
      .map((extra) => extra.trim())
      .filter(Boolean),
    specifiers,
    line,
    text,
    ...(marker ? { marker } : {}),
  };
  const pinned = specifiers.find(
    (specifier) =>
      specifier.operator === "===" || (specifier.operator === "==" && !specifier.version.includes("*")),
  );
  if (pinned) requirement.pinnedVersion = pinned.version;
  parsed.requirements.push(requirement);
}

/** pip's `_looks_like_path`, plus its archive-file test. */
function looksLikePath(text: string): boolean {
  return text.includes("/") || text.includes("\\") || text.startsWith(".") || ARCHIVE_PATTERN.test(text);
}

function unpinnable(location: string, line: number, text: string, name?: string): UnpinnableRequirement {
  const named = name ?? /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(location)?.[1];
  const base = { line, text, ...(named ? { normalizedName: normalizeName(named) } : {}) };
  if (VCS_PATTERN.test(location) || /^(?:git|svn):/i.test(location)) {
    const commit = COMMIT_PATTERN.exec(location.replace(/^[^:]+:\/\/[^@/]*@/, ""))?.[1];
    return { kind: "vcs", ...base, ...(commit ? { commit } : {}) };
  }
  return { kind: "url", ...base };
}

/** "(>=1.2, <2)" → specifiers; undefined when any part is not a specifier. */
function parseSpecifiers(text: string): VersionSpecifier[] | undefined {
  const body = text.trim().replace(/^\((.*)\)$/, "$1");
  if (!body) return [];
  const specifiers: VersionSpecifier[] = [];
  for (const part of body.split(",")) {
    const match = SPECIFIER_PATTERN.exec(part);
    if (!match) return undefined;
    specifiers.push({ operator: match[1] as SpecifierOperator, version: match[2]! });
  }
  return specifiers;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** "requirements.txt line 4", or "train.ipynb (a %pip line)" when the line is not known. */
export function describeSource(source: { file?: string; line: number }, file: string): string {
  const where = source.file ?? file;
  return source.line > 0 ? `${where} line ${source.line}` : `${where} (a %pip line)`;
}
