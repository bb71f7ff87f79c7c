import type { Environment } from "../environment/types";
import type { ParsedRequirements, Requirement } from "../requirements/types";
import { pinEdit, sourceOf, withEdit } from "./checkImports";
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

/** Packaging tools: their versions say nothing about how the notebook computes. */
const TOOLING = new Set(["pip", "setuptools", "wheel", "distribute", "pkg-resources"]);

export function isFramework(name: string): boolean {
  return FRAMEWORKS.has(name) || name.startsWith("nvidia-") || name.startsWith("jax-cuda");
}

export function checkPython(profile: ParityProfile, local?: Environment, image?: Environment): ParityItem[] {
  const items: ParityItem[] = [];
  if (image && !sameVersionPrefix(image.python.version, profile.python)) {
    items.push({
      severity: "error",
      code: "PythonImage",
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
      code: "PythonLocal",
      subject: "python",
      message: `Your notebook runs Python ${local.python.version}; ${productionSource} ${production}.`,
      fix: `Create the notebook's environment with Python ${wanted} (python${wanted} -m venv .venv) and select it as the kernel.`,
    });
  }
  return items;
}

/**
 * Version differences that matter: frameworks, listed requirements and the distributions the
 * notebook imports; local should move to production's. Other differences are summed up in one
 * note, and packaging tools are left out.
 */
export function checkDistributions(
  local: Environment,
  image: Environment,
  requirements: ParsedRequirements,
  requirementsFile: string,
  imported: ReadonlySet<string>,
): ParityItem[] {
  const items: ParityItem[] = [];
  const others: string[] = [];
  const listed = new Map(
    requirements.requirements.map((requirement) => [requirement.normalizedName, requirement]),
  );
  for (const name of Object.keys(image.distributions).sort()) {
    const imageVersion = image.distributions[name]!;
    const localVersion = local.distributions[name];
    const requirement = listed.get(name);
    const relevant = isFramework(name) || requirement !== undefined || imported.has(name);
    if (TOOLING.has(name)) continue;
    if (localVersion === undefined) {
      if (!imported.has(name)) continue;
      items.push({
        severity: "warning",
        code: "PackageMissingLocal",
        subject: name,
        message: `${name} ${imageVersion} is in the image, but not in your notebook's environment.`,
        fix: `pip install ${name}==${imageVersion} in your notebook's environment.`,
      });
      continue;
    }
    const pinned = requirement?.pinnedVersion;
    if (pinned !== undefined && pinned !== imageVersion) {
      items.push(staleImage(name, pinned, imageVersion, requirement!, requirementsFile));
    }
    const wanted = pinned ?? imageVersion;
    if (localVersion === wanted) continue;
    if (!relevant) {
      others.push(`${name} ${localVersion} → ${wanted}`);
      continue;
    }
    const pinToo =
      requirement && pinned === undefined ? `, and pin ${name}==${wanted} in ${requirementsFile}` : "";
    items.push({
      severity: isFramework(name) ? "error" : "warning",
      code: "PackageVersion",
      subject: name,
      message: `${name} ${localVersion} in your notebook, ${wanted} in ${pinned === undefined ? "the image" : requirementsFile}.`,
      fix: `pip install ${name}==${wanted} in your notebook's environment${pinToo}.`,
      ...withEdit(
        requirement && pinned === undefined ? pinEdit(requirement, wanted, requirementsFile) : undefined,
      ),
    });
  }
  if (others.length > 0) {
    const shown = others.slice(0, 5).join(", ");
    items.push({
      severity: "info",
      code: "PackageVersionOther",
      message: `${others.length} other installed package${others.length === 1 ? "" : "s"} differ${others.length === 1 ? "s" : ""} from the image (${shown}${others.length > 5 ? ", ..." : ""}); the notebook does not import them.`,
      fix: `If a library the notebook uses depends on them, pin them in ${requirementsFile}.`,
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
    code: "ImageStale",
    subject: name,
    message: `${requirementsFile} pins ${name}==${pinned} but the image has ${imageVersion}.`,
    fix: `Rebuild the image from the current ${requirementsFile}.`,
    location: sourceOf(requirement, requirementsFile).location,
  };
}
