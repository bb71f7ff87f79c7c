import { normalizeName } from "./names";
import type {
  ParsedRequirements,
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
// pip's rule: "#" starts a comment at the line start or after whitespace (URLs keep their fragments).
const COMMENT_PATTERN = /(^|\s)#.*$/;
// Per-requirement options (--hash, --config-settings) follow the requirement after whitespace.
const TRAILING_OPTIONS_PATTERN = /\s+--?[A-Za-z].*$/;

interface LogicalLine {
  line: number;
  text: string;
}

/** Parses a requirements.txt. Never throws: invalid lines come back in `problems`. */
export function parseRequirements(text: string, file = "requirements.txt"): ParsedRequirements {
  const parsed: ParsedRequirements = { file, requirements: [], unpinnable: [], includes: [], problems: [] };
  for (const { line, text: content } of logicalLines(text)) {
    if (content.startsWith("-")) {
      parseOption(content, line, parsed);
      continue;
    }
    const requirement = content.replace(TRAILING_OPTIONS_PATTERN, "");
    const unpinnable = asUnpinnable(requirement, line);
    if (unpinnable) parsed.unpinnable.push(unpinnable);
    else parseRequirementLine(requirement, line, parsed);
  }
  return parsed;
}

/** Joins "\" continuations and drops comments and blank lines; keeps the first line's number. */
function logicalLines(text: string): LogicalLine[] {
  const result: LogicalLine[] = [];
  let pending: LogicalLine | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const continued = raw.endsWith("\\");
    const body = continued ? raw.slice(0, -1) : raw;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${body}` }
      : { line: index + 1, text: body };
    if (continued) return;
    const content = pending.text.replace(COMMENT_PATTERN, "").trim();
    if (content) result.push({ line: pending.line, text: content });
    pending = undefined;
  });
  if (pending) {
    const content = pending.text.replace(COMMENT_PATTERN, "").trim();
    if (content) result.push({ line: pending.line, text: content });
  }
  return result;
}

function parseOption(content: string, line: number, parsed: ParsedRequirements): void {
  const match = /^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+|(?<=^-[rce]))(\S.*)$/.exec(
    content,
  );
  if (!match) return; // index URLs, --pre, --find-links...: they do not name packages
  const [, option, value] = match as unknown as [string, string, string];
  if (option === "-e" || option === "--editable") {
    parsed.unpinnable.push({
      ...(asUnpinnable(value, line) ?? { kind: "path", line, text: value }),
      kind: "editable",
    });
  } else {
    const kind = option === "-c" || option === "--constraint" ? "constraints" : "requirements";
    parsed.includes.push({ kind, path: value.trim(), line });
  }
}

function asUnpinnable(text: string, line: number): UnpinnableRequirement | undefined {
  const direct = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S.*)$/.exec(text);
  const location = direct ? direct[2]! : text;
  const named = direct?.[1] ?? /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(location)?.[1];
  const base = { line, text, ...(named ? { normalizedName: normalizeName(named) } : {}) };
  if (VCS_PATTERN.test(location)) {
    const commit = COMMIT_PATTERN.exec(location.replace(/^[^:]+:\/\/[^@/]*@/, ""))?.[1];
    return { kind: "vcs", ...base, ...(commit ? { commit } : {}) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return { kind: "url", ...base };
  if (/^[./~]/.test(location) || /\.(whl|zip|tar\.gz|tgz)$/i.test(location)) return { kind: "path", ...base };
  return undefined;
}

function parseRequirementLine(text: string, line: number, parsed: ParsedRequirements): void {
  const [spec = "", ...markerParts] = text.split(";");
  const match = NAME_PATTERN.exec(spec.trim());
  const specifiers = match ? parseSpecifiers(match[3]!) : undefined;
  const marker = markerParts.join(";").trim();
  if (!match || !specifiers || (markerParts.length > 0 && (!marker || marker.startsWith(";")))) {
    parsed.problems.push({ line, text, message: `"${text}" is not a valid requirement` });
    return;
  }
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
