import type { Environment } from "../environment/types";
import type { ParsedRequirements, Requirement } from "../requirements/types";
import type { ParityItem, ParityProfile } from "./types";
import { majorMinor, sameVersionPrefix } from "./units";

/** Distributions whose version decides numerics or GPU behaviour: a mismatch is an error. */
const FRAMEWORKS = new Set([
  "torch",
  "torchvision",
  "torchaudio",
  "tensorflow",
  "tensorflow-cpu",
  "tensorflow-gpu",
  "tf-keras",
  "keras",
  "jax",
  "jaxlib",
  "numpy",
  "cupy",
]);

export function isFramework(name: string): boolean {
  return FRAMEWORKS.has(name) || name.startsWith("nvidia-") || name.startsWith("jax-cuda");
}

export function checkPython(profile: ParityProfile, local?: Environment, image?: Environment): ParityItem[] {
  const items: ParityItem[] = [];
  if (image && !sameVersionPrefix(image.python.version, profile.python)) {
    items.push({
      severity: "error",
      code: "python-image",
      subject: "python",
      message: `The image runs Python ${image.python.version}; parity.yaml says production runs ${profile.python}.`,
      fix: `Use a base image with Python ${profile.python} and rebuild the image.`,
    });
  }
  const production = image ? majorMinor(image.python.version) : profile.python;
  const productionSource = image ? "the image runs" : "production runs";
  if (local && !sameVersionPrefix(local.python.version, majorMinor(production))) {
    const wanted = majorMinor(production);
    items.push({
      severity: "warning",
      code: "python-local",
      subject: "python",
      message: `Your notebook runs Python ${local.python.version}; ${productionSource} ${production}.`,
      fix: `Create the notebook's environment with Python ${wanted} (python${wanted} -m venv .venv) and select it as the kernel.`,
    });
  }
  return items;
}

/** Distributions installed on both sides with different versions; local should move to production's. */
export function checkDistributions(
  local: Environment,
  image: Environment,
  requirements: ParsedRequirements,
  requirementsFile: string,
): ParityItem[] {
  const items: ParityItem[] = [];
  const listed = new Map(
    requirements.requirements.map((requirement) => [requirement.normalizedName, requirement]),
  );
  for (const name of Object.keys(local.distributions).sort()) {
    const localVersion = local.distributions[name]!;
    const imageVersion = image.distributions[name];
    if (imageVersion === undefined) continue;
    const requirement = listed.get(name);
    const pinned = requirement?.pinnedVersion;
    if (pinned !== undefined && pinned !== imageVersion) {
      items.push(staleImage(name, pinned, imageVersion, requirement!, requirementsFile));
    }
    const wanted = pinned ?? imageVersion;
    if (localVersion === wanted) continue;
    const pinToo =
      requirement && pinned === undefined ? `, and pin ${name}==${wanted} in ${requirementsFile}` : "";
    items.push({
      severity: isFramework(name) ? "error" : "warning",
      code: "package-version",
      subject: name,
      message: `${name} ${localVersion} in your notebook, ${wanted} in ${pinned === undefined ? "the image" : requirementsFile}.`,
      fix: `pip install ${name}==${wanted} in your notebook's environment${pinToo}.`,
    });
  }
  return items;
}

function staleImage(
  name: string,
  pinned: string,
  imageVersion: string,
  requirement: Requirement,
  requirementsFile: string,
): ParityItem {
  return {
    severity: "error",
    code: "image-stale",
    subject: name,
    message: `${requirementsFile} pins ${name}==${pinned} but the image has ${imageVersion}.`,
    fix: `Rebuild the image from the current ${requirementsFile}.`,
    location: { file: requirementsFile, line: requirement.line },
  };
}
