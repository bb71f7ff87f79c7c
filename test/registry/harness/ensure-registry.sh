#!/usr/bin/env bash
# Makes the real registry the image-delivery tests push to available: Debian's docker-registry
# (distribution 2.8) and apache2-utils (htpasswd -B writes the bcrypt file its basic auth reads).
# Idempotent: a warm call only checks that both programs are there.
# Usage: test/registry/harness/ensure-registry.sh
set -euo pipefail
missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "registry: installing Debian's ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
