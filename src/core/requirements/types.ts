export type SpecifierOperator = "===" | "==" | "!=" | "<=" | ">=" | "~=" | "<" | ">";

export interface VersionSpecifier {
  operator: SpecifierOperator;
  version: string;
}

/**
 * Where a line was written when that is not the requirements file itself (a notebook's %pip line,
 * a file included with -r or -c). `line` is 1-based, for a continued line the line it starts on;
 * 0 when unknown (a %pip line has no line of its own in a requirements file).
 */
export interface LineSource {
  line: number;
  file?: string;
}

/** One `name[extras] specifiers ; marker` line of a requirements file. */
export interface Requirement extends LineSource {
  /** As written: "Scikit_Learn". */
  name: string;
  /** PEP 503: "scikit-learn". */
  normalizedName: string;
  extras: string[];
  specifiers: VersionSpecifier[];
  /** The environment marker after ";", unevaluated: `python_version < "3.10"`. */
  marker?: string;
  /** The exact version when the line pins one (`==2.3.1` without a wildcard, or `===`). */
  pinnedVersion?: string;
  /** The requirement without comments and options. */
  text: string;
}

/** A URL, VCS or local path requirement: pip cannot pin it by version. */
export interface UnpinnableRequirement extends LineSource {
  kind: "url" | "vcs" | "path";
  /** From `name @ url` or `#egg=name`, normalised; undefined when the line does not say. */
  normalizedName?: string;
  /** A VCS ref that looks like a commit hash (`@3f2a9c1`): the line is pinned after all. */
  commit?: string;
  text: string;
}

/** `-r other.txt` or `-c constraints.txt`, followed relative to the file that names it. */
export interface RequirementsInclude extends LineSource {
  kind: "requirements" | "constraints";
  /** As written; absolute once followed. */
  path: string;
}

/** The options of a requirements file that Parity passes on to pip (pip reads the file itself). */
export type PipFileOption =
  | "--index-url"
  | "--extra-index-url"
  | "--no-index"
  | "--find-links"
  | "--trusted-host"
  | "--pre"
  | "--prefer-binary"
  | "--only-binary"
  | "--no-binary"
  | "--require-hashes"
  | "--use-feature";

export interface PipOption extends LineSource {
  name: PipFileOption;
  value?: string;
}

/** A local file or folder pip reads (a package path, a --find-links folder): it goes into the build. */
export interface LocalPath extends LineSource {
  /** As written; absolute once followed. */
  path: string;
  /** What pip needs it to be. */
  kind: "package" | "find-links";
}

export interface RequirementsProblem extends LineSource {
  text: string;
  message: string;
  /** The option the problem is about (`--index-url`, `-e`), when it is one. */
  field?: string;
  /** What to write instead, when there is more to say than "correct the line". */
  fix?: string;
}

export interface ParsedRequirements {
  file: string;
  /** Every requirements file read, the included ones too (absolute paths once followed). */
  files: string[];
  requirements: Requirement[];
  /** The lines of files included with -c: they bound versions, they install nothing. */
  constraints: Requirement[];
  unpinnable: UnpinnableRequirement[];
  includes: RequirementsInclude[];
  options: PipOption[];
  localPaths: LocalPath[];
  /** Lines pip would refuse, or that Parity cannot carry into the image build. */
  problems: RequirementsProblem[];
}
