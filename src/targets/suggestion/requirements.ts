/**
 * The suggestion process's Python packages: the libraries Katib's suggestion services use
 * (hyperopt for random and tpe, optuna for grid, multivariate-tpe, cmaes and sobol, with cmaes for
 * optuna's CmaEsSampler, scikit-optimize for bayesianoptimization) and everything they need, each
 * pinned. They are installed without dependency resolution, so every machine gets exactly this set;
 * changing it changes the environment's cache key, and the environment is built again.
 *
 * hyperopt 0.2.7 imports pkg_resources, which setuptools 81 removed, hence setuptools 80 (a venv of
 * Python 3.12 and later has no setuptools at all).
 *
 * Resolved and run on CPython 3.11, Linux x86_64; every one has a wheel for CPython 3.11 to 3.13
 * (networkx and SQLAlchemy need 3.11 or later, numpy 2.2 has no wheel for 3.14), hence
 * SUPPORTED_PYTHON.
 */
export const SUGGESTION_REQUIREMENTS: readonly string[] = [
  "alembic==1.20.1",
  "cloudpickle==3.1.3",
  "cmaes==0.12.0",
  "colorlog==6.12.0",
  "future==1.0.0",
  "hyperopt==0.2.7",
  "joblib==1.6.0",
  "Mako==1.4.3",
  "MarkupSafe==3.0.4",
  "networkx==3.6.1",
  "numpy==2.2.6",
  "optuna==4.5.0",
  "packaging==26.4",
  "py4j==0.10.9.9",
  "pyaml==26.7.0",
  "PyYAML==6.0.4",
  "scikit-learn==1.6.1",
  "scikit-optimize==0.10.2",
  "scipy==1.15.3",
  "setuptools==80.9.0",
  "six==1.17.0",
  "SQLAlchemy==2.1.9",
  "threadpoolctl==3.8.0",
  "tqdm==4.70.1",
  "typing_extensions==4.16.0",
];

/** The CPython minor versions the pinned wheels exist for: [lowest, highest]. */
export const SUPPORTED_PYTHON: readonly [string, string] = ["3.11", "3.13"];
