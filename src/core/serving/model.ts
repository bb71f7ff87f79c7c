import path from "node:path";
import { ParityError } from "../errors";
import type { ServedFormat, UnservedFormat } from "./types";

/** A file that may be a model, as the caller listed it (the outputs folder, walked). */
export interface FileEntry {
  /** Absolute path. */
  path: string;
  size: number;
  /** Milliseconds since the epoch. */
  modifiedMs: number;
  /** A folder (a TensorFlow SavedModel is one). */
  directory?: boolean;
}

export type ModelKind =
  { served: true; format: ServedFormat } | { served: false; format: UnservedFormat; what: string };

const SERVED: Record<string, ServedFormat> = {
  ".joblib": "joblib",
  ".pkl": "pickle",
  ".pickle": "pickle",
};

const UNSERVED: Record<string, { format: UnservedFormat; what: string }> = {
  ".pt": { format: "pytorch", what: "a PyTorch file (TorchScript or a state dict)" },
  ".pth": { format: "pytorch", what: "a PyTorch file (TorchScript or a state dict)" },
  ".torchscript": { format: "torchscript", what: "a TorchScript module" },
  ".onnx": { format: "onnx", what: "an ONNX model" },
  ".keras": { format: "keras", what: "a Keras model" },
  ".h5": { format: "keras", what: "a Keras HDF5 model" },
};

/**
 * What a file is as a model, by how it was saved: joblib and pickle files (scikit-learn, XGBoost,
 * LightGBM estimators) are served; TorchScript, PyTorch, SavedModel, Keras and ONNX files are
 * recognised and said to be not served yet; anything else is not a model.
 */
export function modelKindOf(file: Pick<FileEntry, "path" | "directory">): ModelKind | undefined {
  if (file.directory) return undefined;
  const name = path.basename(file.path);
  if (name === "saved_model.pb") {
    return { served: false, format: "savedmodel", what: "a TensorFlow SavedModel" };
  }
  const extension = path.extname(name).toLowerCase();
  const served = SERVED[extension];
  if (served) return { served: true, format: served };
  const unserved = UNSERVED[extension];
  return unserved ? { served: false, ...unserved } : undefined;
}

/** The formats Parity serves, for messages. */
export const SERVED_FORMATS =
  "scikit-learn, XGBoost or LightGBM models saved with joblib (.joblib) or pickle (.pkl, .pickle)";

export interface ChosenModel {
  file: string;
  format: ServedFormat;
  /** How it was chosen, for the user: "the only model file the run wrote". */
  why: string;
}

/**
 * The model to serve among a run's outputs: the one model file the run wrote while it ran (or the
 * one model file of the folder, where the run's times say nothing), as `where` names them in errors.
 * Several candidates, none, or only formats not served yet each refuse with what to do.
 */
export function chooseModel(
  files: FileEntry[],
  where: { folder: string; run?: { id: string; startedMs?: number; finishedMs?: number } },
): ChosenModel {
  const models = files.map((file) => ({ file, kind: modelKindOf(file) })).filter((each) => each.kind);
  const served = models.filter((each) => each.kind!.served);
  const unserved = models.filter((each) => !each.kind!.served);
  const { run } = where;
  // Written during the run (a second's slack: file systems round times).
  const byRun =
    run?.startedMs === undefined
      ? []
      : served.filter(
          (each) =>
            each.file.modifiedMs >= run.startedMs! - 1000 &&
            (run.finishedMs === undefined || each.file.modifiedMs <= run.finishedMs + 1000),
        );
  // The run wrote a model only in a format not served yet: an older model beside it is not this run's.
  const unservedByRun =
    run?.startedMs === undefined
      ? []
      : unserved.filter(
          (each) =>
            each.file.modifiedMs >= run.startedMs! - 1000 &&
            (run.finishedMs === undefined || each.file.modifiedMs <= run.finishedMs + 1000),
        );
  if (byRun.length === 0 && unservedByRun.length > 0) return refuseUnserved(unservedByRun[0]!, where.folder);
  const pick = byRun.length > 0 ? byRun : served;
  if (pick.length === 1) {
    const only = pick[0]!;
    const format = (only.kind as { format: ServedFormat }).format;
    const why =
      byRun.length === 1
        ? `the only model file run ${run!.id} wrote`
        : served.length === 1
          ? `the only model file in ${where.folder}`
          : `the model file in ${where.folder}`;
    return { file: only.file.path, format, why };
  }
  if (pick.length > 1) {
    const names = pick.map((each) => path.relative(where.folder, each.file.path)).sort();
    throw new ParityError(
      "ModelAmbiguous",
      `${byRun.length > 1 ? `Run ${run!.id} wrote` : `${where.folder} holds`} ${pick.length} model files: ${names.join(", ")}.`,
      {
        location: { field: "serving.model" },
        fix: `Name the one to serve in parity.yaml (serving: { model: outputs/${names[0]} }), or pass the model file itself.`,
      },
    );
  }
  if (unserved.length > 0) return refuseUnserved(unserved[0]!, where.folder);
  throw new ParityError(
    "ModelNotFound",
    `No model file was found in ${where.folder}${run ? ` (the outputs of run ${run.id})` : ""}: Parity serves ${SERVED_FORMATS}.`,
    {
      fix: "Save the model in the notebook, e.g. joblib.dump(model, 'outputs/model.joblib'), run it again, then serve it; or pass the model file.",
    },
  );
}

function refuseUnserved(model: { file: FileEntry; kind?: ModelKind }, folder: string): never {
  const kind = model.kind as { what: string };
  throw new ParityError(
    "ModelFormatNotServed",
    `${path.relative(folder, model.file.path)} is ${kind.what}, which Parity does not serve yet: it serves ${SERVED_FORMATS}.`,
    {
      fix: "Save the model with joblib.dump(model, 'outputs/model.joblib'), or serve this format with KServe's own runtime (torchserve, tensorflow, onnx) on the cluster.",
    },
  );
}

/** A model's name as KServe's routes and Kubernetes take it: "My Model v2!" → "my-model-v2". */
export function modelNameFor(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "")
    .slice(0, 45)
    .replace(/-+$/g, "");
  return slug || "model";
}
