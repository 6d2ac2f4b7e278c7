#!/usr/bin/env bash
# CPU and allocation profiles of reachkit's own cost (net=mem) for each
# workload, written to results/<workload>.{cpu,mem} with the top entries
# printed. Inspect further with: go tool pprof results/bench.test results/X.cpu
#
#   bash profile.sh                 # every workload
#   bash profile.sh ChatStream      # one
set -euo pipefail
cd "$(dirname "$0")"
# bench is its own module, outside the repository's go.work.
export GOWORK=off
mkdir -p results
go test -c -o results/bench.test .
for w in ${1:-ChatNew ChatStream Responses Embeddings}; do
  re="${w}/.*net=mem/sdk=reachkit"
  n=200x
  if [ "$w" = Embeddings ]; then n=5x; fi
  echo "== $w: CPU"
  ./results/bench.test -test.run '^$' -test.bench "$re" -test.benchtime=2s \
    -test.cpuprofile "results/$w.cpu" | grep '^Benchmark' || true
  go tool pprof -top -nodecount=25 results/bench.test "results/$w.cpu" 2>/dev/null | sed -n '6,31p'
  echo "== $w: allocations (every allocation sampled)"
  ./results/bench.test -test.run '^$' -test.bench "$re" -test.benchtime=$n \
    -test.memprofile "results/$w.mem" -test.memprofilerate=1 | grep '^Benchmark' || true
  go tool pprof -sample_index=alloc_objects -top -nodecount=25 results/bench.test "results/$w.mem" 2>/dev/null | sed -n '6,31p'
done
