// A throwaway project for a benchmark: one notebook and a parity.yaml on the local base image.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A code cell as nbformat 4 writes it, with its tags. */
export function codeCell(source: string, tags: string[] = []) {
  return {
    cell_type: "code",
    metadata: tags.length > 0 ? { tags } : {},
    outputs: [],
    execution_count: null,
    source,
  };
}

/**
 * A folder in the temporary directory holding `notebookName` with these cells and a profile with
 * this name and limits; readable by the job's user, as a user's project is.
 */
export async function benchProject(
  prefix: string,
  notebookName: string,
  cells: ReturnType<typeof codeCell>[],
  profile: { name: string; memory: string; cpu: string; installsPackages?: boolean },
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  await writeFile(
    path.join(dir, notebookName),
    JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }),
  );
  await writeFile(
    path.join(dir, "parity.yaml"),
    [
      "apiVersion: parity.dev/v1",
      "kind: Profile",
      `name: ${profile.name}`,
      "image:",
      "  base: parity/python:3.11-bookworm",
      '  python: "3.11"',
      "resources:",
      `  memory: ${profile.memory}`,
      `  cpu: "${profile.cpu}"`,
      // pip may reach the index through a TLS-intercepting proxy, whose CA the system trusts.
      ...(profile.installsPackages ? ["build:", "  caCertificates: system"] : []),
      "",
    ].join("\n"),
  );
  return dir;
}
