import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const script = path.resolve(__dirname, "ensure-notebook-python.sh");
let python: Promise<string> | undefined;

/** A notebook's interpreter with numpy and scikit-learn installed (ensure-notebook-python.sh makes it once). */
export function notebookPython(): Promise<string> {
  python ??= run("bash", [script], { maxBuffer: 16 * 1024 * 1024 }).then(({ stdout }) =>
    stdout.trim().split("\n").at(-1)!,
  );
  return python;
}

/** The version of a distribution installed in `python`, as importlib.metadata reads it. */
export async function installedVersion(python: string, distribution: string): Promise<string> {
  const { stdout } = await run(python, [
    "-c",
    "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))",
    distribution,
  ]);
  return stdout.trim();
}
