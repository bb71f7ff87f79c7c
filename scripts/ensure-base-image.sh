#!/usr/bin/env bash
# Makes Parity's Python base image (parity/python:3.11-bookworm) when the engine lacks it: Debian's
# debootstrap is installed first when missing, then `parity base-image --if-missing` builds it from
# Debian packages (no registry can be reached here), reusing the root filesystem cached under
# $PARITY_CACHE_DIR. Needs a Docker engine that answers and a built dist/cli.js.
# Usage: scripts/ensure-base-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-debian-packages.sh debootstrap=debootstrap
node bin/parity.js base-image --if-missing
