#!/usr/bin/env bash
# Parity's main job on its embedded default: the example training notebook, built into its
# production image and run on local Docker with the profile's limits. No cluster needed.
# Starts a Docker engine when none answers (and leaves it running for the next command).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
scripts/ensure-docker.sh start
scripts/ensure-base-image.sh
exec node bin/parity.js run examples/train/train.ipynb "$@"
