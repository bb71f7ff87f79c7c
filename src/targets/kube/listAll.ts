import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { getJson } from "./kubeRequest";

interface ListPage<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/**
 * Every object at a list path, page by page (so 5,000 pods do not come as one 20 MB answer), and
 * the list's resourceVersion to watch from. Items get the kind and apiVersion a list leaves out,
 * so they look like the objects a watch delivers. An expired continue token fails with HTTP 410;
 * the caller lists again from the start.
 */
export async function listAll<T extends KubernetesObject>(
  config: KubeConfig,
  path: string,
  options: {
    labelSelector?: string;
    fieldSelector?: string;
    signal?: AbortSignal;
    timeoutMs?: number;
    pageSize?: number;
  },
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let next: string | undefined;
  let resourceVersion = "";
  do {
    const page = await getJson<ListPage<T>>(config, path, {
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: String(options.pageSize ?? 500),
        continue: next,
      },
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    const kind = page.kind?.replace(/List$/, "");
    for (const item of page.items ?? [])
      items.push({ ...item, kind: item.kind ?? kind, apiVersion: item.apiVersion ?? page.apiVersion });
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    next = page.metadata?.continue || undefined;
  } while (next);
  return { items, resourceVersion };
}
