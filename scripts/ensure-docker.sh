#!/usr/bin/env bash
# Makes sure a Docker engine answers. Installs Debian's docker.io when no dockerd exists, starts
# the daemon when none answers, and records the pid of a daemon it started so that the caller
# (and only the caller) stops it: `scripts/ensure-docker.sh stop`.
# Usage: scripts/ensure-docker.sh [start|stop]
set -euo pipefail
cache="${PARITY_CACHE_DIR:-/var/cache/parity}"
state="$cache/dockerd"
mkdir -p "$state"
pidfile="$state/dockerd.pid"

engine_answers() { docker info >/dev/null 2>&1 || curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }

case "${1:-start}" in
start)
  if engine_answers; then echo "docker: an engine already answers"; exit 0; fi
  "$(dirname "$0")/ensure-debian-packages.sh" --with-recommends dockerd=docker.io
  echo "docker: starting dockerd (log: $state/dockerd.log)"
  setsid dockerd --data-root "$cache/docker-data" >"$state/dockerd.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do
    if engine_answers; then echo "docker: engine ready"; exit 0; fi
    sleep 1
  done
  echo "docker: the engine did not answer within 60 s; its log says:" >&2
  tail -n 40 "$state/dockerd.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    rm -f "$pidfile"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      echo "docker: stopped the engine this run started (pid $pid)"
    fi
  fi
  ;;
esac
