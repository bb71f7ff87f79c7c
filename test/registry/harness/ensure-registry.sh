#!/usr/bin/env bash
# Makes the real registry the image-delivery tests push to available: Debian's docker-registry
# (distribution 2.8), apache2-utils (htpasswd -B writes the bcrypt file its basic auth reads) and
# openssl (the token issuer's keys and the registry's TLS certificate).
# Idempotent: a warm call only checks that the programs are there.
# Usage: test/registry/harness/ensure-registry.sh
set -euo pipefail
"$(dirname "$0")/../../../scripts/ensure-debian-packages.sh" \
  /usr/bin/docker-registry=docker-registry htpasswd=apache2-utils openssl=openssl
