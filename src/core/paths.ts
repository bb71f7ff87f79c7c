import path from "node:path";

/** `file` is `root` or lies below it (both absolute and already resolved). */
export function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative === "" ||
    (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}
