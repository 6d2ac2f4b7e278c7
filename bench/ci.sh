#!/usr/bin/env bash
# Smoke run of the bench module for CI: formatting, vet, the quick tests,
# and every benchmark once (-benchtime=1x, -short shrinks the throttled
# workload) so that none of them can rot. The full comparison is run.sh.
# About 15 s with a warm build cache; a cold one adds about a minute of
# compiling the peers (openai-go is large).
set -euo pipefail
cd "$(dirname "$0")"
# bench is its own module, outside the repository's go.work.
export GOWORK=off
start=$(date +%s)

echo "== bench: gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then echo "not gofmt-ed:"; echo "$unformatted"; exit 1; fi

echo "== bench: go vet"
go vet ./...

echo "== bench: go test, and every benchmark once"
go test -short -count=1 -bench . -benchtime=1x -timeout 5m ./...

echo "== bench: done in $(( $(date +%s) - start ))s"
