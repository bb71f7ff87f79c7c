"""Parity's model server: KServe's own ModelServer with a model loaded from a joblib or pickle file.

Written by Parity into the serving image, which is the run's image (the libraries the model was
trained with) plus PyPI's kserve. It answers KServe's V1 and V2 (Open Inference) protocols.
"""
import argparse
import logging
import pickle
import warnings

from kserve import Model, ModelServer, model_server
from kserve.errors import InferenceError
from kserve.utils.utils import get_predict_input, get_predict_response

# KServe's own flags (--model_name, --http_port, --workers, ...) stay KServe's.
parser = argparse.ArgumentParser(parents=[model_server.parser])
parser.add_argument("--model_file", required=True)
parser.add_argument("--model_format", choices=["joblib", "pickle"], required=True)
args, _ = parser.parse_known_args()


class FileModel(Model):
    def __init__(self, name, path, model_format):
        super().__init__(name)
        self.path = path
        self.model_format = model_format
        self.ready = False
        self._model = None

    def load(self):
        if self.model_format == "pickle":
            with open(self.path, "rb") as file:
                self._model = pickle.load(file)
        else:
            import joblib

            self._model = joblib.load(self.path)
        self.ready = True
        return self.ready

    def get_input_types(self):
        # V2's model metadata (GET /v2/models/<name>): the columns a lone estimator was fitted on
        # (it takes numbers). A Pipeline may take any type in any column: it says nothing rather
        # than guess.
        if type(self._model).__name__ in ("Pipeline", "ColumnTransformer"):
            return []
        names = getattr(self._model, "feature_names_in_", None)
        if names is not None:
            return [{"name": str(name), "datatype": "FP64", "shape": [-1]} for name in names]
        count = getattr(self._model, "n_features_in_", None)
        return [] if count is None else [{"name": "input-0", "datatype": "FP64", "shape": [-1, int(count)]}]

    def predict(self, payload, headers=None):
        try:
            # Rows as records ({"column": value}) are what a notebook's DataFrame gives; KServe
            # reads a dict per column, so V1 records become a DataFrame here.
            rows = payload.get("instances") if isinstance(payload, dict) else None
            if isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows):
                import pandas

                return {"predictions": self._model.predict(pandas.DataFrame.from_records(rows)).tolist()}
            features = get_predict_input(payload)
            return get_predict_response(payload, self._model.predict(features), self.name)
        except InferenceError:
            raise
        except Exception as error:  # the model's own error, as the client should see it
            raise InferenceError(f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    model = FileModel(args.model_name, args.model_file, args.model_format)
    print(f"parity: loading {args.model_format} model {args.model_file} as {args.model_name}", flush=True)
    model.load()
    print(f"parity: model {args.model_name} loaded", flush=True)
    server = ModelServer()  # configures KServe's logging
    # One access line a request is the log; KServe's timing middleware adds two more of its own.
    logging.getLogger("kserve.trace").setLevel(logging.WARNING)
    # Said once, not with every request: FastAPI's deprecation inside KServe, a model's feature-name note.
    warnings.filterwarnings("ignore", message="ORJSONResponse is deprecated")
    warnings.filterwarnings("once", message="X does not have valid feature names")
    server.start([model])
