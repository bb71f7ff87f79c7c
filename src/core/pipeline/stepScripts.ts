import { convertCells, type AddedCode } from "../notebook/convert";
import type { NotebookJob, SourceCell } from "../notebook/types";
import type { KaleCells } from "./kale";

/**
 * The environment a step's script reads its inputs and outputs from, so that one image serves
 * every run of the pipeline whatever passes between its steps.
 */
export const STEP_ENV = {
  /** JSON: the name a value is known by here → the file it was saved to by the step that made it. */
  inputs: "PARITY_STEP_INPUTS",
  /** The folder this step's outputs are written to. */
  outputsDir: "PARITY_STEP_OUTPUTS",
  /** JSON: the names of the variables this step hands on. */
  outputNames: "PARITY_STEP_OUTPUT_NAMES",
} as const;

const LOAD_INPUTS: AddedCode = {
  title: "the variables this step receives from the steps before it",
  lines: [
    "def _parity_load_inputs():",
    "    import json, os, pickle",
    `    for name, file in json.loads(os.environ.get("${STEP_ENV.inputs}") or "{}").items():`,
    "        with open(file, 'rb') as handle:",
    "            globals()[name] = pickle.load(handle)",
    "",
    "",
    "_parity_load_inputs()",
  ],
};

const SAVE_OUTPUTS: AddedCode = {
  title: "the variables this step hands on to the steps after it",
  lines: [
    "def _parity_save_outputs():",
    "    import json, os, pickle",
    `    folder = os.environ.get("${STEP_ENV.outputsDir}")`,
    `    names = json.loads(os.environ.get("${STEP_ENV.outputNames}") or "[]")`,
    "    if not folder or not names:",
    "        return",
    "    os.makedirs(folder, exist_ok=True)",
    "    for name in names:",
    "        if name not in globals():",
    "            raise SystemExit(f'Parity: this step was to hand {name} on to the steps after it, but it never defined {name}.')",
    "        try:",
    "            data = pickle.dumps(globals()[name])",
    "        except Exception as error:",
    "            raise SystemExit(f'Parity: {name} cannot be handed on to the steps after this one, because it cannot be pickled ({error}). Hand on plain values (numbers, arrays, lists, dicts) or write it to a file.')",
    "        with open(os.path.join(folder, name + '.pkl'), 'wb') as handle:",
    "            handle.write(data)",
    "",
    "",
    "_parity_save_outputs()",
  ],
};

/**
 * The script of one step of a tagged notebook: the shared cells (imports, functions, parameters,
 * with `-p` overrides), the variables it receives, its own cells, the variables it hands on. Line
 * by line mapped to the notebook's cells, so a traceback names the cell as for a job.
 */
export function kaleStepScript(cells: KaleCells, step: string, fileName: string): NotebookJob {
  const own = cells.steps.get(step) ?? [];
  return convertCells([...cells.shared, ...own], fileName, {
    plan: () => [...cells.shared, LOAD_INPUTS, ...own, SAVE_OUTPUTS],
    parametersCell: () => cells.parametersCell,
  });
}

/** A step's own cells alone, translated to Python (magics too) for the parser to say which names it binds and reads. */
export function codeOf(cells: readonly SourceCell[], fileName: string): string {
  return convertCells([...cells], fileName, { parametersCell: () => undefined }).script;
}
