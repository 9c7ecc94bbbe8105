#!/usr/bin/env bash
# Runs every benchmark of the bench module and writes docs/BENCHMARKS.md and
# docs/benchmarks.svg from the results (kept in bench/results/):
#   1. go test -bench, the whole suite BENCH_ROUNDS times in a row (alternating);
#   2. load.sh: wrk against tiny servers and the real Flask app;
#   3. soak.sh: 60 s at 100 connections against the demo, RSS sampled;
#   4. cmd/report: medians, ratios, tables, chart.
# Bounded to about ten minutes on 2 cores. Knobs (defaults):
#   BENCH_ROUNDS=7 BENCH_TIME=120ms LOAD_ROUNDS=3 LOAD_DURATION=5s SOAK_DURATION=60s
#   BENCH_SKIP_LOAD=1 / BENCH_SKIP_SOAK=1 skip a stage (the report then says so).
#   BENCH_COMMITTED=1 benchmarks the committed tree rather than the working tree.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
start=$(date +%s)
say() { printf '== %s (%ss)\n' "$*" "$(( $(date +%s) - start ))" >&2; }

# Less disturbance from other work on the machine: a higher priority for this
# script and its children (benchmarks, load servers, wrk), when allowed.
renice -n -10 $$ >/dev/null 2>&1 || true

rounds=${BENCH_ROUNDS:-7}
benchtime=${BENCH_TIME:-120ms}
res=results
mkdir -p "$res"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# BENCH_COMMITTED=1 measures the committed tree (git archive HEAD) instead of
# the working tree, so that uncommitted edits cannot leak into the figures.
head=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "${BENCH_COMMITTED:-}" = 1 ]; then
  snap="$tmp/src"
  mkdir -p "$snap"
  git -C .. archive "$head" | tar -x -C "$snap"
  printf 'go 1.26.0\n\nuse %s\n\nreplace github.com/sessionkit/session => %s\n' "$PWD" "$snap" >"$tmp/go.work"
  export GOWORK="$tmp/go.work" SESSIONKIT_SRC="$snap"
fi

say "compile the benchmarks"
go test -c -o "$tmp/bench.test" .
: >"$res/bench.txt"
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$rounds"); do
  say "benchmarks, round $i of $rounds"
  "$tmp/bench.test" -test.run '^$' -test.bench . -test.benchmem -test.benchtime="$benchtime" >>"$res/bench.txt"
done

if [ "${BENCH_SKIP_LOAD:-}" = 1 ]; then
  rm -rf "$res/load"
else
  say "load (wrk)"
  ./load.sh "$res/load"
fi
if [ "${BENCH_SKIP_SOAK:-}" = 1 ]; then
  rm -rf "$res/soak"
else
  say "soak"
  ./soak.sh "$res/soak"
fi

say "report"
commit=$head
if [ "${BENCH_COMMITTED:-}" = 1 ]; then
  commit="$commit (committed tree, BENCH_COMMITTED=1)"
elif [ -n "$(git -C .. status --porcelain -- . ../go.mod ../*.go ../flask ../memstore ../redisstore ../pgstore 2>/dev/null | grep -v '^?? bench/results' || true)" ]; then
  commit="$commit (with uncommitted changes)"
fi
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit: $commit"
  echo "go: $(go version)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "cores: $(nproc)"
  echo "kernel: $(uname -sr)"
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "redis: $(redis-cli -h 127.0.0.1 INFO server 2>/dev/null | tr -d '\r' | awk -F: '/redis_version/ {print $2}' || true)"
  echo "postgres: $(psql -h 127.0.0.1 -U postgres -tAc 'show server_version' test 2>/dev/null || true)"
  echo "flask: $(/usr/bin/python3 -c 'import importlib.metadata as m; print("Flask", m.version("flask"), "(Debian, /usr/bin/python3)")' 2>/dev/null || echo none)"
  echo "gunicorn: $(/usr/bin/python3 -c 'import gunicorn; print("gunicorn", gunicorn.__version__)' 2>/dev/null || echo none)"
  echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "load on the machine: load average $loadavg_before before the benchmarks, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "rounds: $rounds"
  echo "reproduce: cd bench"
  echo " ./run.sh                      # everything, writes ../docs/BENCHMARKS.md and ../docs/benchmarks.svg"
  echo " go test -run '^\$' -bench . -benchmem .            # the benchmarks alone"
  echo " go test -run '^\$' -bench 'Codec/medium' -benchmem -count 6 . # one slice, for benchstat"
  echo " ./load.sh /tmp/load           # the load test alone"
  echo " ./soak.sh /tmp/soak           # the soak alone"
  if [ "${BENCH_COMMITTED:-}" = 1 ]; then
    echo "commands: BENCH_COMMITTED=1 ./run.sh   # in bench/, which did:"
    echo " git archive $head | tar -x -C \$SRC   # the committed tree; a go.work replaces the module with \$SRC"
    echo " go test -c -o bench.test ."
  else
    echo "commands: ./run.sh   # in bench/, which did:"
    echo " go test -c -o bench.test ."
  fi
  echo " for i in \$(seq $rounds); do ./bench.test -test.run '^\$' -test.bench . -test.benchmem -test.benchtime=$benchtime; done >results/bench.txt"
  [ "${BENCH_SKIP_LOAD:-}" = 1 ] || echo " LOAD_ROUNDS=${LOAD_ROUNDS:-3} LOAD_DURATION=${LOAD_DURATION:-5s} LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-64} LOAD_THREADS=${LOAD_THREADS:-2} ./load.sh results/load"
  [ "${BENCH_SKIP_SOAK:-}" = 1 ] || echo " SOAK_DURATION=${SOAK_DURATION:-60s} SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-100} ./soak.sh results/soak"
  echo " go run ./cmd/report -results results -md ../docs/BENCHMARKS.md -svg ../docs/benchmarks.svg"
} >"$res/meta.txt"
go run ./cmd/report -results "$res" -md ../docs/BENCHMARKS.md -svg ../docs/benchmarks.svg
say "done: docs/BENCHMARKS.md, docs/benchmarks.svg"
