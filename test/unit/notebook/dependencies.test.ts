import { describe, expect, it } from "vitest";
import { notebookDependencies } from "../../../src/core/notebook";
import { notebookOf } from "./helpers";

describe("a notebook's dependencies for a drafted profile", () => {
  it("are its imports, as dotted paths, and its %pip lines", () => {
    const text = notebookOf(
      "%pip install -q scikit-learn==1.7.2\nimport numpy as np\nfrom sklearn.linear_model import Ridge",
      "import os, json\nfrom . import sibling\ndef f():\n    import yaml",
    );
    expect(notebookDependencies(text, "explore.ipynb")).toEqual({
      imports: ["json", "numpy", "os", "sklearn.linear_model.Ridge", "yaml"],
      pipRequirements: ["scikit-learn==1.7.2"],
    });
  });

  it("keep the part of a shared package that is imported, however it is written", () => {
    const text = notebookOf(
      "from google.cloud import storage, bigquery as bq\nimport google.protobuf.json_format\nfrom google.api_core import (\n    retry,\n    exceptions,\n)\nfrom azure.storage.blob import *\nfrom __future__ import annotations",
    );
    expect(notebookDependencies(text, "cloud.ipynb").imports).toEqual([
      "azure.storage.blob",
      "google.api_core.exceptions",
      "google.api_core.retry",
      "google.cloud.bigquery",
      "google.cloud.storage",
      "google.protobuf.json_format",
    ]);
  });

  it("are still read from a notebook Parity cannot run as it is, without its magics and shell lines", () => {
    const text = notebookOf(
      "%run setup.ipynb\nimport pandas as pd\n!pip list",
      "%%bash\nimport not_python",
      "import torch",
    );
    expect(notebookDependencies(text, "explore.ipynb")).toEqual({
      imports: ["pandas", "torch"],
      pipRequirements: [],
    });
  });

  it("still take the %pip and !pip installs of a notebook Parity cannot run as it is", () => {
    const text = notebookOf(
      "%run setup.ipynb\n%pip install -q polars==1.20.0 'pyarrow>=18'\n!python -m pip install --index-url https://example.com/simple torch\nimport polars, torch, pyarrow",
    );
    expect(notebookDependencies(text, "explore.ipynb")).toEqual({
      imports: ["polars", "pyarrow", "torch"],
      pipRequirements: ["polars==1.20.0", "pyarrow>=18", "--index-url https://example.com/simple", "torch"],
    });
  });
});
