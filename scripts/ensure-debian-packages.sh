#!/usr/bin/env bash
# Installs the Debian packages that provide what a script needs, when it is missing: the one place
# where Parity's scripts install programs (Docker, debootstrap, the registry, code-server's needs).
# Each argument is <what>=<package>, where <what> is a program looked up on PATH, an absolute path
# that must exist, or lib:<name> for a package that installs no program (checked with dpkg).
# Usage: scripts/ensure-debian-packages.sh [--with-recommends] debootstrap=debootstrap lib:libkrb5-dev=libkrb5-dev
# Prints what it installs on stderr; exits 1 with the command to run when it cannot install.
set -euo pipefail

recommends=(--no-install-recommends)
if [ "${1:-}" = --with-recommends ]; then
  recommends=()
  shift
fi
missing=()
for pair in "$@"; do
  what="${pair%%=*}"
  package="${pair#*=}"
  case "$what" in
  lib:*) dpkg -s "${what#lib:}" >/dev/null 2>&1 && continue ;;
  /*) [ -e "$what" ] && continue ;;
  *) command -v "$what" >/dev/null 2>&1 && continue ;;
  esac
  case " ${missing[*]-} " in *" $package "*) ;; *) missing+=("$package") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "packages: ${missing[*]} missing, and this is not a Debian-like system (no apt-get): install them with your package manager, then try again." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "packages: ${missing[*]} missing; install them as root: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "packages: installing Debian's ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# One apt at a time: CI and a developer's shell may call this together.
exec 8>/var/lib/apt/.parity-ensure.lock
flock 8
apt-get update -qq >/dev/null
apt-get install -y -qq "${recommends[@]}" "${missing[@]}" >/dev/null
