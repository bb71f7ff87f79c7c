import { createHash } from "node:crypto";
import { BUILD_CA_FILE, generateDockerfile, REQUIREMENTS_FILE, type DockerfileSpec } from "./dockerfile";

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
  /** The requirements the image installs, one specifier a line. */
  requirements: string[];
  /** The job's code, relative to the job folder. */
  jobFiles: ContextFile[];
  /** PEM certificates trusted only while installing dependencies; not part of the image. */
  caBundle?: string;
  /** The base image's id where known, so a changed base under the same tag rebuilds. */
  baseImageId?: string;
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
  const requirements = input.requirements.length > 0 ? `${input.requirements.join("\n")}\n` : "";
  const jobFiles = [...input.jobFiles]
    .map((file) => ({ ...file, path: `job/${file.path}` }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hashed: ContextFile[] = [
    { path: "Dockerfile", content: dockerfile },
    { path: REQUIREMENTS_FILE, content: requirements },
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
