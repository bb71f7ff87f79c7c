/**
 * Image references as Docker reads them: "[host[:port]/]path[:tag]". The first path component is
 * a registry host only when it has a dot or a port or is "localhost"; otherwise the image lives on
 * Docker Hub, which answers to several names.
 */
export const DOCKER_HUB = "docker.io";
/** Where Docker Hub's Registry API actually is. */
const DOCKER_HUB_API = "registry-1.docker.io";
/** The key the docker CLI files Docker Hub credentials under. */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";
const DOCKER_HUB_ALIASES = new Set([
  DOCKER_HUB,
  "index.docker.io",
  DOCKER_HUB_API,
  "registry.hub.docker.com",
]);

export interface RemoteReference {
  /** What the engine tags and pushes, e.g. "127.0.0.1:5000/team/train:3f2a". */
  reference: string;
  /** The registry's host as credentials are filed under, e.g. "127.0.0.1:5000" or "docker.io". */
  host: string;
  /** Where the Registry API answers, e.g. "registry-1.docker.io" for Docker Hub. */
  apiHost: string;
  /** Repository path inside the registry, e.g. "team/train" ("library/x" never: we push to namespaces). */
  repository: string;
  tag: string;
}

/** Splits "name:tag" (the tag is after the last colon that follows the last slash). */
export function splitTag(reference: string): { name: string; tag: string } {
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  if (colon > slash) return { name: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { name: reference, tag: "latest" };
}

function looksLikeHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/** The canonical host for a registry name, folding Docker Hub's aliases into "docker.io". */
export function canonicalHost(host: string): string {
  const bare = host
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(bare) ? DOCKER_HUB : bare;
}

/**
 * The registry host of an image.registry value, as credentials are filed under it:
 * "registry.example.com/team" → "registry.example.com", "myuser" (a Docker Hub namespace) → "docker.io".
 */
export function registryHost(registry: string): string {
  const first =
    registry
      .trim()
      .replace(/^[a-z]+:\/\//i, "")
      .split("/")[0] ?? "";
  return looksLikeHost(first) ? canonicalHost(first) : DOCKER_HUB;
}

/**
 * Where a locally built image goes: `<registry>/<slug>:<hash>`. The local tag is either already
 * under the registry (imageNameFor used the profile's image.registry) or "parity/<slug>:<hash>".
 */
export function remoteReferenceFor(localTag: string, registry: string): RemoteReference {
  const prefix = registry.trim().replace(/\/+$/, "");
  const { name, tag } = splitTag(localTag);
  const slug = name.slice(name.lastIndexOf("/") + 1);
  const remoteName = name.startsWith(`${prefix}/`) ? name : `${prefix}/${slug}`;
  const [first = "", ...rest] = remoteName.split("/");
  const host = registryHost(first);
  const repository = looksLikeHost(first) ? rest.join("/") : remoteName;
  return {
    reference: `${remoteName}:${tag}`,
    host,
    apiHost: host === DOCKER_HUB ? DOCKER_HUB_API : host,
    repository,
    tag,
  };
}

/** Loopback registries speak plain HTTP (the engine treats them as insecure too); others HTTPS. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Kubernetes contexts whose nodes run on this machine's Docker engine: a built image is already there. */
export function sharesLocalEngine(kubeContext: string): boolean {
  return (
    ["docker-desktop", "rancher-desktop", "orbstack"].includes(kubeContext) ||
    kubeContext.startsWith("colima")
  );
}

/** The "repo@digest" names an image was pushed as, with Docker Hub's short and long forms folded. */
export function digestsFor(repoDigests: string[], remote: RemoteReference): string[] {
  const wanted = `${remote.host}/${remote.repository}`;
  return repoDigests.flatMap((entry) => {
    const at = entry.indexOf("@");
    if (at < 0) return [];
    const name = entry.slice(0, at);
    const [first = ""] = name.split("/");
    const full = looksLikeHost(first)
      ? `${canonicalHost(first)}${name.slice(first.length)}`
      : `${DOCKER_HUB}/${name}`;
    return full === wanted ? [entry.slice(at + 1)] : [];
  });
}

export function serverAddressFor(host: string): string {
  return canonicalHost(host) === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : canonicalHost(host);
}
