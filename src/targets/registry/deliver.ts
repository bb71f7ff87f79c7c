import type Dockerode from "dockerode";
import { ParityError, throwIfCancelled } from "../../core/errors";
import { inspectImage } from "../docker/images";
import type { RegistryCredentials } from "./credentials";
import { tagAndPush } from "./push";
import { digestsFor, remoteReferenceFor, sharesLocalEngine } from "../../core/registry/reference";
import { manifestDigest } from "./registryApi";

export interface Delivery {
  /** The reference the cluster pulls. */
  reference: string;
  action: "pushed" | "already-present" | "shared-engine";
  /** One sentence for the user. */
  detail: string;
}

export interface DeliveryOptions {
  /** The image as built here, e.g. "parity/train:3f2a" or "registry.example.com/team/train:3f2a". */
  localTag: string;
  /** The profile's image.registry. */
  registry?: string;
  kubeContext: string;
  credentials?: RegistryCredentials;
  signal: AbortSignal;
  onProgress?(line: string): void;
}

/**
 * Makes a locally built image pullable by the cluster: nothing to do when the cluster runs on this
 * engine, nothing to push when the registry already holds this very image, else tag and push.
 */
export async function deliverImage(docker: Dockerode, options: DeliveryOptions): Promise<Delivery> {
  const { localTag, kubeContext, credentials, signal } = options;
  throwIfCancelled(signal);
  const registry = options.registry?.trim();
  if (!registry) return withoutRegistry(localTag, kubeContext);
  const remote = remoteReferenceFor(localTag, registry);
  const local = await inspectImage(docker, localTag);
  if (!local) {
    throw new ParityError(
      "ImageNotBuilt",
      `The image ${localTag} is not in the local Docker engine, so there is nothing to push.`,
      {
        fix: "Build it again (run the notebook, or `parity check`), then deliver it.",
      },
    );
  }
  const remoteDigest = await manifestDigest(remote, { credentials, signal });
  if (remoteDigest && digestsFor(local.RepoDigests ?? [], remote).includes(remoteDigest)) {
    return {
      reference: remote.reference,
      action: "already-present",
      detail: `${remote.host} already has ${remote.reference} (${shortDigest(remoteDigest)}), so nothing was pushed.`,
    };
  }
  options.onProgress?.(`Pushing ${remote.reference}`);
  const pushed = await tagAndPush(docker, localTag, remote, {
    credentials,
    signal,
    onProgress: options.onProgress,
  });
  return {
    reference: remote.reference,
    action: "pushed",
    detail: `Pushed ${remote.reference}${pushed ? ` (${shortDigest(pushed)})` : ""} to ${remote.host}.`,
  };
}

function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, "$1");
}

/**
 * Without image.registry the cluster must share this engine: the delivery then, or why not. Cheap,
 * so a cluster run can say it before building anything.
 */
export function withoutRegistry(localTag: string, kubeContext: string): Delivery {
  if (sharesLocalEngine(kubeContext)) {
    return {
      reference: localTag,
      action: "shared-engine",
      detail: `The cluster (context ${kubeContext}) runs on this machine's Docker engine, so it uses ${localTag} without a push.`,
    };
  }
  throw new ParityError(
    "RegistryMissing",
    `The cluster (context ${kubeContext}) cannot see images on this machine, and the profile sets no image.registry to push ${localTag} to.`,
    {
      location: { field: "image.registry" },
      fix: "Set image.registry in parity.yaml to a registry the cluster can pull from (for example registry.example.com/ml-team), or use a cluster that runs on this Docker engine (docker-desktop, rancher-desktop, orbstack, colima).",
    },
  );
}
