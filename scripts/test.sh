#!/usr/bin/env bash
# The test command: unit tests with the race detector in every module, then
# the conformance suite against the official API specs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test -race ./... (library)"
go test -race ./...
echo "== go test -race ./... (examples)"
(cd examples && go test -race ./...)
echo "== conformance against the official specs"
bash internal/conformance/run.sh
