import type { KubernetesObject } from "@kubernetes/client-node";
import { dump } from "js-yaml";
import { compact } from "./compact";

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "spec"];
/** Set by the API server, never by whoever commits the file. */
const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"];

/** Plain YAML a team could commit: "---" between objects, apiVersion/kind/metadata/spec first, no status. */
export function renderManifest(objects: KubernetesObject[]): string {
  return objects
    .map((object) => dump(compact(ordered(object)), { lineWidth: -1, noRefs: true, quoteStyle: "double" }))
    .join("---\n");
}

function ordered(object: KubernetesObject): Record<string, unknown> {
  const { status: _status, ...fields } = object as KubernetesObject & { status?: unknown };
  const metadata = Object.fromEntries(
    Object.entries(fields.metadata ?? {}).filter(([key]) => !SERVER_METADATA.includes(key)),
  );
  const all: Record<string, unknown> = { ...fields, metadata };
  const rank = (key: string) => {
    const index = TOP_LEVEL_ORDER.indexOf(key);
    return index === -1 ? TOP_LEVEL_ORDER.length : index;
  };
  const keys = Object.keys(all).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((key) => [key, all[key]]));
}
