import path from "node:path";
import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import {
  chooseModel,
  modelKindOf,
  modelNameFor,
  SERVED_FORMATS,
  type FileEntry,
} from "../../../src/core/serving/model";

const FOLDER = "/work/project/outputs";
const STARTED = Date.parse("2025-03-01T10:00:00Z");
const FINISHED = STARTED + 60_000;
const RUN = { id: "run-42", startedMs: STARTED, finishedMs: FINISHED };

function file(name: string, modifiedMs: number, directory = false): FileEntry {
  return { path: path.join(FOLDER, name), size: 1024, modifiedMs, ...(directory ? { directory } : {}) };
}

function refusal(run: () => unknown): ParityError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParityError) return error;
    throw error;
  }
  throw new Error("expected a ParityError");
}

describe("modelKindOf", () => {
  it.each([
    ["model.joblib", "joblib"],
    ["model.pkl", "pickle"],
    ["model.pickle", "pickle"],
    ["MODEL.PKL", "pickle"],
  ])("serves %s as %s", (name, format) => {
    expect(modelKindOf({ path: `/x/${name}` })).toEqual({ served: true, format });
  });

  it.each([
    ["model.pt", "pytorch", "a PyTorch file (TorchScript or a state dict)"],
    ["model.pth", "pytorch", "a PyTorch file (TorchScript or a state dict)"],
    ["model.torchscript", "torchscript", "a TorchScript module"],
    ["model.onnx", "onnx", "an ONNX model"],
    ["model.keras", "keras", "a Keras model"],
    ["model.h5", "keras", "a Keras HDF5 model"],
    ["export/saved_model.pb", "savedmodel", "a TensorFlow SavedModel"],
  ])("recognises %s as %s, not served, with words for it", (name, format, what) => {
    expect(modelKindOf({ path: `/x/${name}` })).toEqual({ served: false, format, what });
  });

  it.each(["metrics.json", "data.csv", "model", "weights.pb", "notes.txt"])("%s is not a model", (name) => {
    expect(modelKindOf({ path: `/x/${name}` })).toBeUndefined();
  });

  it("does not take a folder for a model, whatever its name", () => {
    expect(modelKindOf({ path: "/x/model.joblib", directory: true })).toBeUndefined();
    expect(modelKindOf({ path: "/x/saved_model.pb", directory: true })).toBeUndefined();
  });
});

describe("chooseModel", () => {
  it("takes the one model file the run wrote over older ones", () => {
    const chosen = chooseModel(
      [
        file("old.joblib", STARTED - 3_600_000),
        file("new.joblib", STARTED + 30_000),
        file("older.pkl", STARTED - 86_400_000),
      ],
      { folder: FOLDER, run: RUN },
    );
    expect(chosen).toEqual({
      file: path.join(FOLDER, "new.joblib"),
      format: "joblib",
      why: "the only model file run run-42 wrote",
    });
  });

  it("counts a file written within a second of the run's window, not two seconds before it", () => {
    const chosen = chooseModel([file("edge.pkl", STARTED - 500), file("before.pkl", STARTED - 2000)], {
      folder: FOLDER,
      run: RUN,
    });
    expect(chosen.file).toBe(path.join(FOLDER, "edge.pkl"));
    expect(chosen.format).toBe("pickle");
  });

  it("leaves out a file written after the run finished", () => {
    const chosen = chooseModel([file("during.joblib", STARTED + 1), file("after.joblib", FINISHED + 5000)], {
      folder: FOLDER,
      run: RUN,
    });
    expect(chosen.file).toBe(path.join(FOLDER, "during.joblib"));
  });

  it("takes the one model file of the folder when the run wrote none, or has no times", () => {
    const older = [file("model.joblib", STARTED - 3_600_000), file("metrics.json", STARTED + 10)];
    expect(chooseModel(older, { folder: FOLDER, run: RUN })).toEqual({
      file: path.join(FOLDER, "model.joblib"),
      format: "joblib",
      why: `the only model file in ${FOLDER}`,
    });
    expect(chooseModel(older, { folder: FOLDER, run: { id: "run-1" } }).why).toBe(
      `the only model file in ${FOLDER}`,
    );
    expect(chooseModel(older, { folder: FOLDER }).file).toBe(path.join(FOLDER, "model.joblib"));
  });

  it("refuses several model files the run wrote, naming them sorted and the serving.model field", () => {
    const error = refusal(() =>
      chooseModel(
        [
          file("zeta.joblib", STARTED + 10),
          file("sub/beta.pkl", STARTED + 20),
          file("alpha.joblib", STARTED + 30),
          file("stale.joblib", STARTED - 3_600_000),
        ],
        { folder: FOLDER, run: RUN },
      ),
    );
    expect(error.code).toBe("ModelAmbiguous");
    expect(error.message).toBe("Run run-42 wrote 3 model files: alpha.joblib, sub/beta.pkl, zeta.joblib.");
    expect(error.location).toEqual({ field: "serving.model" });
    expect(error.fix).toContain("serving: { model: outputs/alpha.joblib }");
  });

  it("refuses several older model files as the folder's, when the run wrote none", () => {
    const error = refusal(() =>
      chooseModel([file("b.pkl", STARTED - 10_000), file("a.pkl", STARTED - 20_000)], {
        folder: FOLDER,
        run: RUN,
      }),
    );
    expect(error.code).toBe("ModelAmbiguous");
    expect(error.message).toBe(`${FOLDER} holds 2 model files: a.pkl, b.pkl.`);
    expect(error.location?.field).toBe("serving.model");
  });

  it("refuses a folder holding only formats not served, naming the file and what is served", () => {
    const error = refusal(() =>
      chooseModel([file("net.pt", STARTED + 10), file("log.txt", STARTED + 20)], {
        folder: FOLDER,
        run: RUN,
      }),
    );
    expect(error.code).toBe("ModelFormatNotServed");
    expect(error.message).toBe(
      `net.pt is a PyTorch file (TorchScript or a state dict), which Parity does not serve yet: it serves ${SERVED_FORMATS}.`,
    );
    expect(error.message).toContain(".joblib");
    expect(error.fix).toContain("joblib.dump");
  });

  it("refuses a folder with no model file, naming the run", () => {
    const error = refusal(() =>
      chooseModel([file("metrics.json", STARTED + 10), file("model.joblib", STARTED + 20, true)], {
        folder: FOLDER,
        run: RUN,
      }),
    );
    expect(error.code).toBe("ModelNotFound");
    expect(error.message).toBe(
      `No model file was found in ${FOLDER} (the outputs of run run-42): Parity serves ${SERVED_FORMATS}.`,
    );
    expect(error.fix).toContain("joblib.dump(model, 'outputs/model.joblib')");
  });

  it("refuses an empty folder without a run, naming no run", () => {
    const error = refusal(() => chooseModel([], { folder: FOLDER }));
    expect(error.code).toBe("ModelNotFound");
    expect(error.message).not.toContain("outputs of run");
  });
});

describe("modelNameFor", () => {
  it.each([
    ["My Model v2!", "my-model-v2"],
    ["iris", "iris"],
    ["Iris_Classifier", "iris-classifier"],
    ["2024 forecast", "forecast"],
    ["--model--", "model"],
    ["!!!", "model"],
    ["12345", "model"],
    ["", "model"],
  ])("%j → %j", (text, name) => {
    expect(modelNameFor(text)).toBe(name);
  });

  it("keeps a long name within 45 characters, not ending in '-'", () => {
    const name = modelNameFor(`${"a".repeat(44)} bcd`);
    expect(name).toBe("a".repeat(44));
    expect(modelNameFor("x".repeat(80))).toHaveLength(45);
  });

  it("gives a Kubernetes name for any text", () => {
    for (const text of ["Über Model", "a.b.c", "A  B", "  lead", "ÀÉÎ 9"]) {
      expect(modelNameFor(text)).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});

describe("chooseModel when the run wrote only a format not served yet", () => {
  it("refuses, instead of serving an older joblib the run did not write", () => {
    const error = refusal(() =>
      chooseModel([file("old.joblib", STARTED - 3_600_000), file("net.pt", STARTED + 10_000)], {
        folder: FOLDER,
        run: RUN,
      }),
    );
    expect(error.code).toBe("ModelFormatNotServed");
    expect(error.message).toMatch(/^net\.pt is a PyTorch file/);
  });
});
