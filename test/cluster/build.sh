#!/usr/bin/env bash
# Builds (cold) or reuses (warm) the control-plane binaries the cluster tests run: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kwok, the Training Operator, Argo's
# workflow-controller, Katib's katib-controller and KServe's controller manager, from the Go
# modules pinned in test/cluster/go/. They live outside the clone, under a key of go.mod + go.sum +
# ldflags + the Go version, so a fresh clone on the same machine reuses them. Prints the binaries'
# folder last.
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
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok training-operator workflow-controller
  katib-controller kserve-controller)

complete() {
  local b
  for b in "${binaries[@]}"; do [ -x "$out/bin/$b" ] || return 1; done
}

if complete; then
  # Marks the key as used (see the pruning below); a read-only cache is fine too.
  touch "$out/.used" 2>/dev/null || true
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
echo "cluster binaries: building into $out (cold: about 25-35 minutes on 2 cores)" >&2
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
  # Katib's own katib-controller (the upstream main), pinned by the tool line of go/katib/go.mod
  # (its own k8s graph). Its CRDs, webhooks, KatibConfig and gRPC API are read at test time from
  # the same module zip, which this build leaves in the module cache (harness/assets.ts).
  cd "$here/go/katib"
  nice -n 10 go build -ldflags "$small_ldflags" -o "$staging/bin/katib-controller" \
    github.com/kubeflow/katib/cmd/katib-controller/v1beta1
)
(
  # KServe's own controller manager (cmd/manager), pinned by the tool line of go/kserve/go.mod
  # with upstream's replace lines (its own k8s 0.34 / controller-runtime 0.22 graph). Its CRDs,
  # webhooks and inferenceservice-config are read at test time from the same module zip
  # (harness/assets.ts, harness/kserveController.ts).
  cd "$here/go/kserve"
  nice -n 10 go build -ldflags "$small_ldflags" -o "$staging/bin/kserve-controller" \
    github.com/kserve/kserve/cmd/manager
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
touch "$out/.used"
trap - EXIT
# Other keys' binaries go, but not while something may still use them: a control plane running
# from them, or a run on this machine (another clone, CI) that used them within the last day.
# The Go caches stay for the next cold key.
in_use() {
  local exe
  for exe in /proc/[0-9]*/exe; do
    [[ "$(readlink "$exe" 2>/dev/null)" == "$1"/* ]] && return 0
  done
  return 1
}
used_lately() { [ -n "$(find "$1/.used" "$1" -maxdepth 0 -newermt '-1 day' 2>/dev/null)" ]; }
for dir in "$cache_root"/*/; do
  dir="${dir%/}"
  case "$(basename "$dir")" in go | "$key") continue ;; esac
  in_use "$dir" || used_lately "$dir" || rm -rf "$dir"
done
# Staging folders of builds that were killed (this build holds the lock: none is in progress).
rm -rf "$cache_root"/.staging.*
echo "cluster binaries: built in $((SECONDS - started)) s" >&2
echo "$out/bin"
