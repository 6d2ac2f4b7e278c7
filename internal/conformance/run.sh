#!/usr/bin/env bash
# Runs the conformance tests against the official API specs, served by the
# @stdy/cli validating mock. Installs the mock with npm into a cache folder,
# starts one mock per spec on loopback, waits until each answers, runs the
# tests, and stops the mocks.
#
#   bash internal/conformance/run.sh [go test flags]
#
# REACHKIT_SPECS overrides the folder holding openai.openapi.yml and
# brevo.openapi.yml (default: ../shared/specs beside the repository).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
specs=${REACHKIT_SPECS:-$root/../shared/specs}
steady_version=0.22.2
cache=${REACHKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reachkit}/stdy-$steady_version

if [ ! -f "$specs/openai.openapi.yml" ]; then
  msg="conformance: no spec at $specs/openai.openapi.yml (set REACHKIT_SPECS)"
  if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
  echo "$msg: skipped"; exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  msg="conformance: npm is not installed"
  if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
  echo "$msg: skipped"; exit 0
fi

steady=$cache/node_modules/.bin/steady
if [ ! -x "$steady" ]; then
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" "@stdy/cli@$steady_version" >&2
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start_mock SPEC VAR: serves SPEC and exports VAR=http://127.0.0.1:PORT.
start_mock() {
  local spec=$1 var=$2 port log
  [ -f "$spec" ] || return 0
  port=$(free_port)
  log=$(mktemp)
  "$steady" --host 127.0.0.1 -p "$port" \
    --validator-query-array-format=brackets --validator-form-array-format=brackets \
    --validator-query-object-format=brackets --validator-form-object-format=brackets \
    "$spec" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      export "$var=http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done
  echo "conformance: the mock for $spec did not start:" >&2
  cat "$log" >&2
  exit 1
}

start_mock "$specs/openai.openapi.yml" REACHKIT_OPENAI_MOCK
start_mock "$specs/brevo.openapi.yml" REACHKIT_BREVO_MOCK

cd "$root"
go test -tags conformance -count=1 "$@" ./internal/conformance/...
