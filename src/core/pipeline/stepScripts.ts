import { convertCells, convertNotebook, type AddedCode } from "../notebook/convert";
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
  /** JSON: the names of the variables (or files) this step hands on. */
  outputNames: "PARITY_STEP_OUTPUT_NAMES",
  /** JSON: where each output goes, when not in the outputs folder (a KFP task's artifact paths). */
  outputFiles: "PARITY_STEP_OUTPUT_FILES",
  /** JSON: every parameter of a pipeline.yaml with its value for this run, made globals of each step. */
  pipelineParameters: "PARITY_PIPELINE_PARAMETERS",
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
    `    files = json.loads(os.environ.get("${STEP_ENV.outputFiles}") or "{}")`,
    `    names = json.loads(os.environ.get("${STEP_ENV.outputNames}") or "[]")`,
    "    for name in names:",
    "        file = files.get(name) or (os.path.join(folder, name + '.pkl') if folder else None)",
    "        if not file:",
    "            return",
    "        if name not in globals():",
    "            raise SystemExit(f'Parity: this step was to hand {name} on to the steps after it, but it never defined {name}.')",
    "        try:",
    "            data = pickle.dumps(globals()[name])",
    "        except Exception as error:",
    "            raise SystemExit(f'Parity: {name} cannot be handed on to the steps after this one, because it cannot be pickled ({error}). Hand on plain values (numbers, arrays, lists, dicts) or write it to a file.')",
    "        os.makedirs(os.path.dirname(file) or '.', exist_ok=True)",
    "        with open(file, 'wb') as handle:",
    "            handle.write(data)",
    "",
    "",
    "_parity_save_outputs()",
  ],
};

const FILE_STEP_START: AddedCode = {
  title:
    "the pipeline's parameters, and the files this step reads (parity_inputs) and writes (parity_outputs)",
  lines: [
    "def _parity_step_files():",
    "    import json, os",
    `    globals().update(json.loads(os.environ.get("${STEP_ENV.pipelineParameters}") or "{}"))`,
    `    folder = os.environ.get("${STEP_ENV.outputsDir}") or "."`,
    `    names = json.loads(os.environ.get("${STEP_ENV.outputNames}") or "[]")`,
    `    files = json.loads(os.environ.get("${STEP_ENV.outputFiles}") or "{}")`,
    "    outputs = {name: files.get(name) or os.path.join(folder, name) for name in names}",
    "    for file in outputs.values():",
    "        os.makedirs(os.path.dirname(file) or '.', exist_ok=True)",
    `    inputs = json.loads(os.environ.get("${STEP_ENV.inputs}") or "{}")`,
    "    return inputs, outputs",
    "",
    "",
    "parity_inputs, parity_outputs = _parity_step_files()",
  ],
};

const FILE_STEP_END: AddedCode = {
  title: "every file this step was to hand on was written",
  lines: [
    "def _parity_check_outputs():",
    "    import os",
    "    missing = [name for name, file in parity_outputs.items() if not os.path.exists(file)]",
    "    if missing:",
    "        raise SystemExit('Parity: this step was to hand on ' + ', '.join(missing) + ', but wrote no file at ' + ', '.join('parity_outputs[%r]' % name for name in missing) + '.')",
    "",
    "",
    "_parity_check_outputs()",
  ],
};

/**
 * The script of one step of a pipeline.yaml: the whole notebook (or script), after the pipeline's
 * parameters and the paths of its input and output files are set (`parity_inputs[name]`,
 * `parity_outputs[name]`), and followed by a check that it wrote every output it declares.
 */
export function fileStepScript(text: string, fileName: string): NotebookJob {
  return convertNotebook(text, fileName, { plan: (cells) => [FILE_STEP_START, ...cells, FILE_STEP_END] });
}

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
