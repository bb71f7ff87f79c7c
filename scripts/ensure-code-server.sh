#!/usr/bin/env bash
# Makes code-server (VS Code served to a browser) and Debian's Chromium available for the E2E
# tests, and prints the code-server binary's path on stdout (progress goes to stderr).
# Idempotent: the npm install is cached by version under "$PARITY_CACHE_DIR/code-server/<version>"
# (never inside the repo); a warm call only checks that everything is there (about a second).
# Usage: scripts/ensure-code-server.sh
set -euo pipefail
version="4.100.3"
cache="${PARITY_CACHE_DIR:-/var/cache/parity}"
dir="$cache/code-server/$version"
bin="$dir/node_modules/.bin/code-server"
say() { echo "code-server: $*" >&2; }

# Debian packages: libkrb5-dev (code-server's kerberos module builds against it), ripgrep (its
# search, and the binary seeded below), chromium (the browser the tests drive).
"$(dirname "$0")/ensure-debian-packages.sh" lib:libkrb5-dev=libkrb5-dev rg=ripgrep /usr/bin/chromium=chromium

if [ -f "$dir/.complete" ] && [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache/code-server"
# One installer at a time (CI and a developer's shell may call this together).
exec 9>"$cache/code-server/.lock"
flock 9
if [ -f "$dir/.complete" ] && [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

# @vscode/ripgrep downloads its binary from a code host in postinstall, which cannot be reached
# here; it takes a pre-seeded download cache instead: a tarball holding Debian's rg at its root.
tmp="${TMPDIR:-/tmp}"
rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
rg_tar="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_tar" ]; then
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$rg_tar.partial" -C "$staging" rg
  mv "$rg_tar.partial" "$rg_tar"
  rm -rf "$staging"
fi

say "installing code-server@$version into $dir (about a minute)"
started=$(date +%s)
work="$(mktemp -d "$cache/code-server/.install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo '{"name":"parity-code-server","private":true}' >"$work/package.json"
# Its postinstall refuses to run as root unless unsafe-perm is set, and node-pty runs
# `npx node-gyp`, which must not stop to ask.
(
  cd "$work"
  npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
    "code-server@$version" >&2
)
[ -x "$work/node_modules/.bin/code-server" ] || {
  say "the install finished without node_modules/.bin/code-server; see npm's output above"
  exit 1
}
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
touch "$dir/.complete"
say "installed in $(($(date +%s) - started)) s"
echo "$bin"
