#!/usr/bin/env bash
# Builds (cold) or reuses (warm) the control-plane binaries the cluster tests run: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kwok, the Training Operator and Argo's
# workflow-controller, from the Go modules pinned in
# test/cluster/go/. They live outside the clone, under a key of go.mod + go.sum + ldflags + the Go
# version, so a fresh clone on the same machine reuses them. Prints the binaries' folder last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
cache_root="${PARITY_CACHE_DIR:-/var/cache/parity}/cluster"
export GOMODCACHE="$cache_root/go/mod" GOCACHE="$cache_root/go/build"

kube_version="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$here/go/kube/go.mod")"
minor="${kube_version#v1.}"
minor="${minor%%.*}"
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${kube_version}"
kube_ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
kube_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
small_ldflags="-s -w"

key="$(
  {
    cat "$here"/go/*/go.mod "$here"/go/*/go.sum "$here"/go/training-operator/*.go
    echo "$kube_ldflags" "$small_ldflags" "$GOFLAGS"
    go version
  } | sha256sum | cut -c1-16
)"
out="$cache_root/$key"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok training-operator workflow-controller)

complete() {
  local b
  for b in "${binaries[@]}"; do [ -x "$out/bin/$b" ] || return 1; done
}

if complete; then
  echo "cluster binaries: reused $out/bin" >&2
  echo "$out/bin"
  exit 0
fi

mkdir -p "$cache_root"
# One build at a time per cache (a second caller waits, then finds the binaries).
exec 9>"$cache_root/.build.lock"
flock 9
if complete; then
  echo "$out/bin"
  exit 0
fi

started=$SECONDS
staging="$(mktemp -d "$cache_root/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
chmod 755 "$staging"
mkdir -p "$staging/bin"
echo "cluster binaries: building into $out (cold: about 20-25 minutes on 2 cores)" >&2
# Low priority: the machine's other work (image builds, tests) keeps its share of the 2 cores.
(
  cd "$here/go/etcd"
  nice -n 10 go build -ldflags "$small_ldflags" -o "$staging/bin/etcd" go.etcd.io/etcd/server/v3
)
(
  cd "$here/go/training-operator"
  nice -n 10 go build -ldflags "$small_ldflags" -o "$staging/bin/training-operator" .
)
(
  # Argo Workflows' own controller, pinned by the tool line of go/argo/go.mod (its own k8s graph).
  cd "$here/go/argo"
  nice -n 10 go build -ldflags "$small_ldflags" -o "$staging/bin/workflow-controller" \
    github.com/argoproj/argo-workflows/v3/cmd/workflow-controller
)
(
  cd "$here/go/kube"
  nice -n 10 go build -ldflags "$kube_ldflags" -o "$staging/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    sigs.k8s.io/kwok/cmd/kwok
)
rm -rf "$out"
mv "$staging" "$out"
trap - EXIT
# Keep only this key's binaries; the Go caches stay for the next cold key.
find "$cache_root" -mindepth 1 -maxdepth 1 -type d -not -name go -not -name "$key" -exec rm -rf {} +
echo "cluster binaries: built in $((SECONDS - started)) s" >&2
echo "$out/bin"
