export type SpecifierOperator = "===" | "==" | "!=" | "<=" | ">=" | "~=" | "<" | ">";

export interface VersionSpecifier {
  operator: SpecifierOperator;
  version: string;
}

/** One `name[extras] specifiers ; marker` line of a requirements file. */
export interface Requirement {
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
  /** 1-based; for a continued line, the line it starts on. 0 when unknown. */
  line: number;
  /** Where it was written when that is not the requirements file itself (a notebook's %pip line, a -r file). */
  file?: string;
  /** The requirement without comments and options. */
  text: string;
}

/** A URL, VCS, local path or editable install: pip cannot pin it by version. */
export interface UnpinnableRequirement {
  kind: "url" | "vcs" | "path" | "editable";
  /** From `name @ url` or `#egg=name`, normalised; undefined when the line does not say. */
  normalizedName?: string;
  /** A VCS ref that looks like a commit hash (`@3f2a9c1`): the line is pinned after all. */
  commit?: string;
  line: number;
  text: string;
}

/** `-r other.txt` or `-c constraints.txt`: reported, not followed (core does no I/O). */
export interface RequirementsInclude {
  kind: "requirements" | "constraints";
  path: string;
  line: number;
}

export interface RequirementsProblem {
  line: number;
  text: string;
  message: string;
}

export interface ParsedRequirements {
  file: string;
  requirements: Requirement[];
  unpinnable: UnpinnableRequirement[];
  includes: RequirementsInclude[];
  /** Lines that are not valid requirements. */
  problems: RequirementsProblem[];
}
