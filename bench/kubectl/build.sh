#!/usr/bin/env bash
# Builds (cold, a few minutes) or reuses kubectl for bench/clusterView.ts, outside the clone under a
# key of go.mod + go.sum + main.go + the Go version, beside the test control plane's Go caches.
# Prints the binary's path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
cache_root="${PARITY_CACHE_DIR:-/var/cache/parity}/cluster"
export GOMODCACHE="$cache_root/go/mod" GOCACHE="$cache_root/go/build"
key="$({ cat "$here/go.mod" "$here/go.sum" "$here/main.go"; go version; } | sha256sum | cut -c1-16)"
# Not under cluster/: test/cluster/build.sh keeps only its own key there.
out="${PARITY_CACHE_DIR:-/var/cache/parity}/kubectl/$key/kubectl"
if [ ! -x "$out" ]; then
  echo "kubectl: building into $out" >&2
  mkdir -p "$(dirname "$out")"
  (cd "$here" && nice -n 10 go build -ldflags "-s -w" -o "$out.tmp" . && mv "$out.tmp" "$out")
fi
echo "$out"
