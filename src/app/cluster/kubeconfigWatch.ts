import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import type { Disposable } from "../../core/events";
import { kubeconfigFiles } from "../../targets/kube/kubeconfig";

/**
 * Calls `changed` once a burst of writes to the kubeconfig's files settles: KUBECONFIG's files, or
 * ~/.kube/config. Their folders are watched, not the files: editors and kubectl write a temporary
 * file and rename it over the old one, which a watch on the old file (its inode) never sees, and a
 * file that does not exist yet can still be created. A folder that does not exist is not watched.
 */
export function watchKubeconfig(
  options: { env: NodeJS.ProcessEnv; homeDir: string },
  changed: () => void,
  debounceMs = 300,
): Disposable {
  const namesByFolder = new Map<string, Set<string>>();
  for (const file of kubeconfigFiles(options)) {
    const folder = path.dirname(file);
    namesByFolder.set(folder, (namesByFolder.get(folder) ?? new Set()).add(path.basename(file)));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(changed, debounceMs);
  };
  const watchers = [...namesByFolder].flatMap(([folder, names]): FSWatcher[] => {
    try {
      // Not persistent: the CLI and tests exit while it watches.
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        // No name (some platforms): anything in the folder may be the kubeconfig.
        if (name === null || names.has(name.toString())) settle();
      });
      // The folder was removed: nothing more comes from this watcher; the others go on.
      watcher.on("error", () => watcher.close());
      return [watcher];
    } catch {
      return [];
    }
  });
  return {
    dispose: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
