import { readFile } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../../core/errors";
import { readExperiment } from "../../core/tuning/experiment";
import { experimentFilesFor, TUNING_FIELD } from "../../core/tuning/files";
import type { Experiment } from "../../core/tuning/types";
import { parseYamlDocument } from "../../core/yaml";
import type { SessionContext } from "../context";
import type { LoadedJob } from "../job/load";

// Where an experiment is looked for is pure (core), so the extension's views find the same files.
export { experimentFilesFor, TUNING_FIELD };

export interface FoundExperiment {
  experiment: Experiment;
  /** The key inside the file (parity.yaml's `tuning`), where it is not the whole file. */
  field?: string;
}

/**
 * The notebook's experiment, checked against its parameters cell: the file given (`--experiment`),
 * else parity.yaml's `tuning:`, else a file next to the notebook (<notebook>.experiment.yaml,
 * experiment.yaml). None: an error saying where one may be written.
 */
export async function loadExperiment(
  context: SessionContext,
  job: LoadedJob,
  file?: string,
): Promise<FoundExperiment> {
  const parameters = job.notebook.parameters;
  if (file) {
    const resolved = path.resolve(context.cwd, file);
    return { experiment: readExperiment(await readText(resolved), resolved, { parameters }) };
  }
  const profileFile = job.profile.file;
  if (profileFile) {
    const text = await readText(profileFile);
    const { value } = parseYamlDocument(text, profileFile, "profile");
    if (value && typeof value === "object" && TUNING_FIELD in value) {
      return {
        experiment: readExperiment(text, profileFile, { path: [TUNING_FIELD], parameters }),
        field: TUNING_FIELD,
      };
    }
  }
  for (const candidate of experimentFilesFor(job.notebookFile)) {
    const text = await readFile(candidate, "utf8").catch(() => undefined);
    if (text !== undefined) return { experiment: readExperiment(text, candidate, { parameters }) };
  }
  const beside = path.basename(experimentFilesFor(job.notebookFile)[0]!);
  throw new ParityError(
    "ExperimentMissing",
    `No experiment was found for ${path.basename(job.notebookFile)}.`,
    {
      fix: `Give one with --experiment <file> (a Katib Experiment YAML), write it next to the notebook as ${beside}, or put its spec under "${TUNING_FIELD}:" in parity.yaml.`,
    },
  );
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ParityError(
      "ExperimentUnreadable",
      code === "ENOENT"
        ? `The experiment file ${file} does not exist.`
        : `The experiment file ${file} could not be read (${code}).`,
      { location: { file }, fix: "Check the path given with --experiment." },
    );
  }
}

/** `-p` values fix the notebook's other parameters in every trial; a searched one cannot be fixed. */
export function fixedParams(experiment: Experiment, params: string[]): string[] {
  const searched = new Set(experiment.spec.parameters.map((parameter) => parameter.name));
  for (const pair of params) {
    const name = pair.slice(0, Math.max(0, pair.indexOf("="))).trim();
    if (searched.has(name)) {
      throw new ParityError(
        "ParameterSearched",
        `The experiment searches ${name}, so -p ${pair} cannot fix it.`,
        {
          location: {
            file: experiment.file,
            line: experiment.lineOf([
              "parameters",
              experiment.spec.parameters.findIndex((each) => each.name === name),
            ]),
          },
          fix: `Remove -p ${name}=..., or remove ${name} from the experiment's parameters to run every trial with one value.`,
        },
      );
    }
  }
  return params;
}
