#!/usr/bin/env bash
# Fuzzing: first every fuzz corpus (the seeds in the code and the files in
# each package's testdata/fuzz) as regression tests, then every fuzz target
# of the module for FUZZTIME each, one after another.
#
#   FUZZTIME      how long each target runs (default 20s; "0" runs only the corpora)
#   FUZZPARALLEL  fuzzing workers per target (default: GOMAXPROCS)
#   FUZZMATCH     only targets whose "package.Target" name matches this regexp
#
# A failing input is written to the package's testdata/fuzz/<Target>/ and the
# script fails; commit that file with the fix, so that it stays a
# regression test. The summary at the end gives each target's executions,
# rate and corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-20s}
parallel=${FUZZPARALLEL:+-parallel=$FUZZPARALLEL}
match=${FUZZMATCH:-.}

echo "== fuzz corpora as regression tests"
go test -run '^Fuzz' ./...

if [ "$fuzztime" = "0" ]; then
  exit 0
fi

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
printf '%-60s %12s %10s %8s\n' "target" "execs" "execs/s" "corpus" >"$summary"
status=0
for pkg in $(go list ./...); do
  targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
  for target in $targets; do
    name="${pkg#github.com/reachkit/reachkit/}.$target"
    if ! [[ $name =~ $match ]]; then
      continue
    fi
    echo "== $name for $fuzztime"
    log=$(mktemp)
    # shellcheck disable=SC2086 # $parallel is empty or one flag
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" $parallel "$pkg" 2>&1 | tee "$log"; then
      status=1
    fi
    # The last progress line: "fuzz: elapsed: 20s, execs: 123 (6/sec), new interesting: 1 (total: 9)".
    last=$(grep 'fuzz: elapsed:' "$log" | tail -1 || true)
    execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
    secs=$(sed -n 's/.*elapsed: \([0-9hms.]*\),.*/\1/p' <<<"$last" |
      awk '{ t=0; s=$0; if (s ~ /h/) { split(s, a, "h"); t += a[1]*3600; s=a[2] } if (s ~ /m/) { split(s, a, "m"); t += a[1]*60; s=a[2] } sub("s", "", s); t += s; print t }')
    corpus=$(sed -n 's/.*(total: \([0-9]*\)).*/\1/p' <<<"$last")
    rate=$(awk -v e="${execs:-0}" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%d", e / s; else print "-" }')
    printf '%-60s %12s %10s %8s\n' "$name" "${execs:--}" "$rate" "${corpus:--}" >>"$summary"
    rm -f "$log"
  done
done
echo "== summary (FUZZTIME=$fuzztime)"
cat "$summary"
exit $status
