#!/usr/bin/env bash
# A notebook's interpreter with numpy and scikit-learn from PyPI, pinned, in a virtual environment
# cached outside the clone: the profile tests draft a profile whose requirements are pinned to
# what this interpreter has installed (the machine's python3 has neither).
# The cache is per python3 (its real path and version: a venv breaks when its interpreter goes),
# checked by importing both before it is trusted, and made by one process at a time.
# Cold: Debian's python3-venv when missing, then pip install (about a minute); warm: instant.
# Prints the environment's python. Usage: test/helpers/ensure-notebook-python.sh
set -euo pipefail
numpy_version=2.2.6
sklearn_version=1.7.2
"$(dirname "$0")/../../scripts/ensure-debian-packages.sh" python3=python3 lib:python3-venv=python3-venv
base=$(python3 -c 'import os, platform, sys; print(os.path.realpath(sys.executable), platform.python_version())')
key=$(printf '%s' "$base" | sha256sum | cut -c1-12)
cache="${PARITY_CACHE_DIR:-/var/cache/parity}/python/notebook-numpy-${numpy_version}-scikit-learn-${sklearn_version}-py${base##* }-${key}"
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -f "$cache/.complete" ] || ! "$cache/bin/python" -c 'import numpy, sklearn' >/dev/null 2>&1; then
  rm -rf "$cache"
  python3 -m venv "$cache" >&2
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check \
    "numpy==${numpy_version}" "scikit-learn==${sklearn_version}" >&2
  touch "$cache/.complete"
fi
echo "$cache/bin/python"
