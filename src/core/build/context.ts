import { createHash } from "node:crypto";
import { quoteOption } from "../requirements/shlex";
import {
  BUILD_CA_FILE,
  generateDockerfile,
  PIP_PROJECT,
  PIP_REQUIREMENTS,
  type DockerfileSpec,
} from "./dockerfile";

export interface ContextFile {
  /** Path inside the build context, "/"-separated. */
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

export interface BuildPlanInput {
  /** Repository part of the tag, e.g. "parity/train". */
  imageName: string;
  dockerfile: DockerfileSpec;
  /** What pip installs, read by pip itself from the project's files. */
  pip: PipInputs;
  /** The job's code, relative to the job folder. */
  jobFiles: ContextFile[];
  /** PEM certificates trusted only while installing dependencies; not part of the image. */
  caBundle?: string;
  /** The base image's id where known, so a changed base under the same tag rebuilds. */
  baseImageId?: string;
}

export interface PipInputs {
  /** The requirement files pip installs with -r, relative to the project folder, "/"-separated. */
  roots: string[];
  /** Every file of the project pip reads (requirement files, local packages, --find-links folders). */
  files: ContextFile[];
}

export interface BuildPlan {
  /** `imageName:<content hash>`: the same inputs always give the same tag. */
  tag: string;
  contentHash: string;
  dockerfile: string;
  files: ContextFile[];
}

export function planBuild(input: BuildPlanInput): BuildPlan {
  const dockerfile = generateDockerfile(input.dockerfile);
  const requirements = input.pip.roots.map((root) => `-r ${quoteOption(`project/${root}`)}\n`).join("");
  const jobFiles = sortByPath(input.jobFiles.map((file) => ({ ...file, path: `job/${file.path}` })));
  const pipFiles = input.pip.files.map((file) => ({ ...file, path: `${PIP_PROJECT}/${file.path}` }));
  // Every file pip reads is hashed: an edit of an included requirements file or of a local package
  // makes a new tag.
  const hashed: ContextFile[] = [
    { path: "Dockerfile", content: dockerfile },
    { path: PIP_REQUIREMENTS, content: requirements },
    ...sortByPath(pipFiles),
    ...jobFiles,
  ];
  const hash = createHash("sha256");
  hash.update(`base-image-id\0${input.baseImageId ?? ""}\0`);
  for (const file of hashed) {
    hash.update(`${file.path}\0${file.mode ?? 0o644}\0`);
    hash.update(file.content);
    hash.update("\0");
  }
  const contentHash = hash.digest("hex");
  // The CA bundle only affects how dependencies are fetched, not what the image holds.
  const files = [...hashed, { path: BUILD_CA_FILE, content: input.caBundle ?? "" }];
  return { tag: `${input.imageName}:${contentHash.slice(0, 12)}`, contentHash, dockerfile, files };
}

function sortByPath(files: ContextFile[]): ContextFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A valid image repository name from a project name: "My Project!" → "parity/my-project". */
export function imageNameFor(projectName: string, registry?: string): string {
  const slug =
    projectName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "job";
  const prefix = registry ? registry.replace(/\/+$/, "") : "parity";
  return `${prefix}/${slug}`;
}
