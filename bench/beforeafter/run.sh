#!/usr/bin/env bash
# Compares one request path at two commits in one run:
#   bench/beforeafter/run.sh [BEFORE [AFTER]]   (defaults: 0ecfd28, HEAD)
# Builds conflictfree.go against each commit (git archive into a temporary
# module), runs the two test binaries in alternation ROUNDS times (default 5,
# -count 2 each; BENCH filters the benchmarks, default all), and prints
# medians and after/before ratios as Markdown.
# Needs Redis at SESSIONKIT_REDIS_ADDR (default 127.0.0.1:6379).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
before=${1:-0ecfd28}
after=${2:-HEAD}
rounds=${ROUNDS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for side in before after; do
  rev=${!side}
  src="$tmp/$side-src" mod="$tmp/$side"
  mkdir -p "$src" "$mod"
  git -C "$repo" archive "$rev" | tar -x -C "$src"
  cp "$here/conflictfree.go" "$mod/conflictfree_test.go"
  # redisstore.New returned an error before it returned the store alone.
  if grep -q 'func New(client redis.UniversalClient) (\*Store, error)' "$src/redisstore/redisstore.go"; then
    body='s, err := redisstore.New(c); if err != nil { b.Fatal(err) }; return s'
  else
    body='return redisstore.New(c)'
  fi
  cat >"$mod/shim_test.go" <<GO
//go:build beforeafter

package beforeafter

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/session"
	"github.com/sessionkit/session/redisstore"
)

func newRedis(b *testing.B, c *redis.Client) session.Store { $body }
GO
  printf 'module beforeafter\n\ngo 1.26.0\n\nrequire github.com/sessionkit/session v0.0.0\n\nreplace github.com/sessionkit/session => %s\n' "$src" >"$mod/go.mod"
  (cd "$mod" && GOFLAGS=-mod=mod go mod tidy >/dev/null && go test -tags beforeafter -c -o "$tmp/$side.test" .)
done

for _ in $(seq "$rounds"); do
  for side in before after; do
    (cd "$tmp" && "./$side.test" -test.run '^$' -test.bench "${BENCH:-.}" -test.benchmem -test.count 2 -test.benchtime 0.5s) >>"$tmp/$side.txt"
  done
done

echo "before: $(git -C "$repo" rev-parse --short "$before"), after: $(git -C "$repo" rev-parse --short "$after"), $rounds rounds, go test -bench -count 2 -benchtime 0.5s each, medians"
echo
awk -v before="$tmp/before.txt" -v after="$tmp/after.txt" '
function median(a, n,   i, j, t) {
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
function load(file, side,   line, f, name) {
  while ((getline line < file) > 0) {
    if (line !~ /^BenchmarkConflictFree\//) continue
    split(line, f, /[ \t]+/)
    name = f[1]; sub(/^BenchmarkConflictFree\//, "", name); sub(/-[0-9]+$/, "", name)
    if (!(name in seen)) { seen[name] = 1; order[++names] = name }
    cnt[side, name]++
    ns[side, name, cnt[side, name]] = f[3]
    allocs[side, name] = f[7]
  }
}
BEGIN {
  load(before, "b"); load(after, "a")
  print "| request | before ns/op | after ns/op | after/before | allocs/op before → after |"
  print "|---|---:|---:|---:|---:|"
  for (k = 1; k <= names; k++) {
    n = order[k]
    nb = cnt["b", n]; for (i = 1; i <= nb; i++) xb[i] = ns["b", n, i]
    na = cnt["a", n]; for (i = 1; i <= na; i++) xa[i] = ns["a", n, i]
    mb = median(xb, nb); ma = median(xa, na)
    printf "| %s | %.0f | %.0f | %.2f× | %s → %s |\n", n, mb, ma, ma / mb, allocs["b", n], allocs["a", n]
  }
}'
