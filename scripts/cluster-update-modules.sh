#!/usr/bin/env bash
# Regenerates test/cluster/go/*/go.mod and go.sum for the control plane the tests build.
# Run by hand when changing versions; the result is committed and the build only reads it.
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with folders that a
# dependent module cannot see, so every such requirement is replaced here by the published
# module of the matching v0.x version.
set -euo pipefail
cd "$(dirname "$0")/../test/cluster/go"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.36.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
TRAINING_OPERATOR_VERSION="${TRAINING_OPERATOR_VERSION:-v1.9.3}"
staging_version="v0.${KUBERNETES_VERSION#v1.}"

upstream_mod="$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
godebug="$(grep -E '^godebug ' "$upstream_mod" || true)"

{
  echo "module parity.test/cluster/kube"
  echo
  echo "go 1.26.0"
  echo
  if [ -n "$godebug" ]; then echo "$godebug"; echo; fi
  echo "replace ("
  grep -E '^\s+k8s\.io/\S+ v0\.0\.0$' "$upstream_mod" | awk -v v="$staging_version" '{ printf "\t%s => %s %s\n", $1, $1, v }'
  echo ")"
} > kube/go.mod
(
  cd kube
  # Versions on every path: a bare package path would mean @upgrade, the newest Kubernetes.
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@${KUBERNETES_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@${KUBERNETES_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-scheduler@${KUBERNETES_VERSION}" \
    "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  go mod tidy
)

printf 'module parity.test/cluster/etcd\n\ngo 1.26.0\n' > etcd/go.mod
(
  cd etcd
  go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
  go mod tidy
)

# The Training Operator keeps its own Kubernetes 0.31 graph: a module of its own, with our main.
(
  cd training-operator
  go get "github.com/kubeflow/training-operator@${TRAINING_OPERATOR_VERSION}"
  go mod tidy
)
