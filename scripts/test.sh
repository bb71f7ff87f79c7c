#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a warm one: build, lint, type-check, bring up the
# real services the tests need (Docker engine, base image, the control plane's binaries and
# code-server), run every test, and stop what this run started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PARITY_CACHE_DIR="${PARITY_CACHE_DIR:-/var/cache/parity}"

started_docker=""
cleanup() {
  if [ -n "$started_docker" ]; then scripts/ensure-docker.sh stop || true; fi
}
trap cleanup EXIT

npm run --silent build
npm run --silent lint
npm run --silent typecheck

# Docker engine: start one only when none answers, and then stop it at the end.
if ! docker info >/dev/null 2>&1; then started_docker=1; fi
scripts/ensure-docker.sh start

# A Python base image made from Debian packages (no registry can be reached here); cached.
scripts/ensure-base-image.sh

# >>> registry (issue 5, test/registry/): Debian's docker-registry and htpasswd for the image
# delivery tests (test/integration/registry*.test.ts), which start their own registry on loopback.
test/registry/harness/ensure-registry.sh
# <<< registry

# The real kfp SDK (pinned, from PyPI) the pipeline tests compile their KFP pipelines with; cached.
test/kfp/harness/ensure-kfp.sh >/dev/null
test/helpers/ensure-notebook-python.sh >/dev/null
# The suggestion process of parity tune (Katib's search libraries, pinned, from PyPI); cached.
node scripts/run-ts.mjs scripts/ensure-suggestion-env.ts >/dev/null

# >>> cluster (issue 4, test/cluster/): build (cold, ~15 min) or reuse (warm, ~1 s) the control-plane
# binaries here, outside vitest's timeouts; the vitest project "cluster" starts etcd, kube-apiserver,
# controller-manager, scheduler, Training Operator and kwok once for its suites and stops them.
PARITY_CLUSTER_BIN="$(test/cluster/build.sh)"
export PARITY_CLUSTER_BIN
node scripts/cluster.mjs prefetch
# <<< cluster

# >>> e2e (issue 3, test/e2e/): code-server (cold ~90 s with Debian's chromium, warm instant), cached
# by version outside the repo; the vitest project "e2e" packages the VSIX and installs it into it.
PARITY_CODE_SERVER="$(scripts/ensure-code-server.sh)"
export PARITY_CODE_SERVER
# <<< e2e

mkdir -p .cache
rm -f .cache/vitest-*.json
status=0
# One vitest run per project: the control plane is up only while its suites run, and a failure to
# start it cannot keep the other suites from running.
for project in default cluster e2e; do
  npx vitest run --project "$project" --passWithNoTests --reporter=default --reporter=json \
    --outputFile.json=".cache/vitest-$project.json" "$@" || status=$?
done
# Screenshots and failure logs outlive the clone: the last five runs' are kept in the cache folder.
# vitest's JSON reports go with them, so a failure cut from the log's end can still be read.
mkdir -p test-results
cp .cache/vitest-*.json test-results/ 2>/dev/null || true
if [ -d test-results ]; then
  kept="$PARITY_CACHE_DIR/test-results"
  mkdir -p "$kept"
  cp -r test-results "$kept/$(date -u +%Y%m%dT%H%M%SZ)"
  ls -1d "$kept"/*/ | sort | head -n -5 | xargs -r rm -rf --
  echo "test artifacts: test-results/ (a copy in $kept)"
fi
node scripts/test-summary.mjs .cache/vitest-default.json .cache/vitest-cluster.json .cache/vitest-e2e.json ||
  status=1
exit $status
