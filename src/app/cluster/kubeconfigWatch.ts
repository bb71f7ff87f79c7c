import { statSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";
import type { Disposable } from "../../core/events";
import { filesNamedIn, kubeconfigFiles, readKubeConfigs } from "../../targets/kube/kubeconfig";

/**
 * Calls `changed` once a burst of writes to the kubeconfig's files settles: KUBECONFIG's files, or
 * ~/.kube/config, and the files they name (CA bundles, client certificates and keys). Their
 * folders are watched, not the files: editors and kubectl write a temporary file and rename it over
 * the old one, which a watch on the old file (its inode) never sees, and a file that does not exist
 * yet can still be created. A folder that does not exist yet (no ~/.kube) is waited for from the
 * nearest folder that does. After each change the watched set is worked out again: the kubeconfig
 * may now name other files, and a folder waited for may now exist.
 */
export function watchKubeconfig(
  options: { env: NodeJS.ProcessEnv; homeDir: string },
  changed: () => void,
  debounceMs = 300,
): Disposable {
  let watchers: FSWatcher[] = [];
  let armed = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (disposed) return;
      arm();
      changed();
    }, debounceMs);
  };

  const arm = () => {
    const namesByFolder = watchedNames([...kubeconfigFiles(options), ...namedFiles(options)]);
    const key = JSON.stringify(
      [...namesByFolder].map(([folder, names]) => [folder, [...names].sort()]).sort(),
    );
    if (key === armed) return;
    armed = key;
    close();
    watchers = [...namesByFolder].flatMap(([folder, names]): FSWatcher[] => {
      try {
        // Not persistent: the CLI and tests exit while it watches.
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          // No name (some platforms): anything in the folder may be one of the files.
          if (name === null || names.has(name.toString())) settle();
        });
        // The folder was removed: nothing more comes from this watcher; the others go on.
        watcher.on("error", () => watcher.close());
        return [watcher];
      } catch {
        return [];
      }
    });
  };

  const close = () => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
  };

  arm();
  return {
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
      close();
    },
  };
}

/** The files the kubeconfig names, as far as it can be read now. */
function namedFiles(options: { env: NodeJS.ProcessEnv; homeDir: string }): string[] {
  try {
    return filesNamedIn(readKubeConfigs(options).config);
  } catch {
    return [];
  }
}

/**
 * Folder → the names in it to watch: a file's own folder and name, or, where that folder does not
 * exist, its nearest existing ancestor and the name of the first missing folder on the way.
 */
function watchedNames(files: string[]): Map<string, Set<string>> {
  const namesByFolder = new Map<string, Set<string>>();
  for (const file of files) {
    let folder = path.dirname(file);
    let name = path.basename(file);
    while (!isFolder(folder) && path.dirname(folder) !== folder) {
      name = path.basename(folder);
      folder = path.dirname(folder);
    }
    namesByFolder.set(folder, (namesByFolder.get(folder) ?? new Set()).add(name));
  }
  return namesByFolder;
}

function isFolder(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}
