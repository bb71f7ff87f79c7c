#!/usr/bin/env bash
# The real kfp SDK from PyPI, pinned, in a virtual environment cached outside the clone: the tests
# compile their pipelines with it (kfp.compiler) and check Parity's output with its loaders; the
# benchmark runs kfp.local's DockerRunner with it (the docker package, pinned too).
# Cold: Debian's python3-venv when missing, then pip install (about a minute); warm: instant.
# Prints the environment's python. Usage: test/kfp/harness/ensure-kfp.sh
set -euo pipefail
version=2.17.3
docker_version=7.1.0
cache="${PARITY_CACHE_DIR:-/var/cache/parity}/python/kfp-${version}-docker-${docker_version}"
"$(dirname "$0")/../../../scripts/ensure-debian-packages.sh" python3=python3 lib:python3-venv=python3-venv
if [ ! -f "$cache/.complete" ]; then
  rm -rf "$cache"
  mkdir -p "$(dirname "$cache")"
  python3 -m venv "$cache" >&2
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check "kfp==${version}" "docker==${docker_version}" >&2
  touch "$cache/.complete"
fi
echo "$cache/bin/python"
