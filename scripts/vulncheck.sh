#!/usr/bin/env bash
# Known-vulnerability check of the library and the examples with govulncheck
# (pinned), against the Go vulnerability database.
#
#   GOVULNDB  the database: https://vuln.go.dev (default), or a local copy
#             as file:///abs/path (a folder holding index/db.json,
#             index/modules.json and ID/GO-*.json)
#
# Exit status: govulncheck's (0 no vulnerability reached, 3 some reached,
# 1 an error) when the database can be read. When it cannot be read (no
# network route to it, or no local copy), the script says so and why, and
# exits 0: the check was not made, which is not the same as passing it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.9.0 # the newest golang.org/x/vuln that builds here; v1.1.4 works too
db=${GOVULNDB:-https://vuln.go.dev}
govulncheck=(go run "golang.org/x/vuln/cmd/govulncheck@$version" -db "$db")

not_checked() {
  echo "vulncheck: NOT CHECKED: $1" >&2
  echo "vulncheck: the modules were not checked for known vulnerabilities; this exit status 0 is not a pass." >&2
  exit 0
}

# Can the database be read? Its index is small: fetch it (or look for it).
case "$db" in
file://*)
  dir=${db#file://}
  [ -f "$dir/index/db.json" ] || [ -f "$dir/index/db.json.gz" ] ||
    not_checked "no vulnerability database at $dir (index/db.json is missing)"
  ;;
http://* | https://*)
  if command -v curl >/dev/null 2>&1; then
    if ! reason=$(curl -fsS --max-time 15 -o /dev/null "$db/index/db.json" 2>&1); then
      not_checked "the vulnerability database $db cannot be reached from this machine (${reason:-no reply})"
    fi
  fi
  ;;
*)
  echo "vulncheck: GOVULNDB=$db is neither an http(s) nor a file:// URL" >&2
  exit 1
  ;;
esac

# With the go.work of the repository root, ./... there covers the examples
# module too; without it, each module is checked on its own.
modules=(. examples)
if [ -n "$(go env GOWORK)" ]; then
  modules=(.)
fi

status=0
for module in "${modules[@]}"; do
  [ -f "$module/go.mod" ] || continue
  echo "== govulncheck $version ($module)"
  out=$(mktemp)
  set +e
  (cd "$module" && "${govulncheck[@]}" ./...) 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  set -e
  # Without curl the probe above is skipped: a database that cannot be
  # fetched shows here.
  if [ "$code" -ne 0 ] && fetch=$(grep -m1 'fetching vulnerabilities' "$out"); then
    rm -f "$out"
    not_checked "govulncheck could not fetch the database $db: $fetch"
  fi
  rm -f "$out"
  if [ "$code" -ne 0 ]; then
    status=$code
  fi
done
exit $status
