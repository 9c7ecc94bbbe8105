#!/usr/bin/env bash
# Soak: SOAK_DURATION (60s) at SOAK_CONNECTIONS (100) against the demo
# (`sessionkit demo`), once with cookie sessions and once with the Redis store
# when the demo has -store. wrk cycles through the lesson's pages with a
# session cookie minted by the demo itself; VmRSS of the server process is
# sampled every 5 s. Falls back to bench/cmd/loadserver when the demo (or its
# -store flag) is missing, and says so in the output. Raw output goes to
# OUT (default results/soak), one file per run, for cmd/report.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-results/soak}
duration=${SOAK_DURATION:-60s}
conns=${SOAK_CONNECTIONS:-100}
redis=${BENCH_REDIS_ADDR:-127.0.0.1:6379}
key=bench-key-7f3a9c1e5b2d8f4a6c0e9b1d # bench.Key

command -v wrk >/dev/null || { echo "soak.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
rm -rf "$out" && mkdir -p "$out"

have_demo=0
if (cd "${SESSIONKIT_SRC:-..}" && GOWORK=off go build -o "$tmp/sessionkit" ./cmd/sessionkit) 2>"$tmp/build.err" && "$tmp/sessionkit" demo -h 2>&1 | grep -q -- '-addr'; then
  have_demo=1
fi
have_store=0
[ $have_demo = 1 ] && "$tmp/sessionkit" demo -h 2>&1 | grep -q -- '-store' && have_store=1
go build -o "$tmp/loadserver" ./cmd/loadserver

cat >"$tmp/pages.lua" <<'LUA'
-- The lesson's pages in turn, with the session cookie from -H.
local paths = {"/perfil", "/exemplo02", "/exemplo01", "/login", "/"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

# wait_line FILE REGEX: the first match of REGEX in FILE.
wait_line() {
  for _ in $(seq 150); do
    line=$(grep -m1 -oE "$2" "$1" 2>/dev/null || true)
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.1
  done
  return 1
}

soak() { # name note cmd...
  local name=$1 note=$2; shift 2
  local f="$out/$name.txt"
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  pids+=($pid)
  local base script cookie
  if [ "$1" = "$tmp/sessionkit" ]; then
    if ! base=$(wait_line "$tmp/$name.out" 'http://127\.0\.0\.1:[0-9]+'); then
      echo "note $name did not start: $(head -c 300 "$tmp/$name.err")" >"$f"; return 0
    fi
    # A session as a visitor makes it: log in, add names in Exemplo 02.
    curl -s -o /dev/null -c "$tmp/jar" "$base/login"
    for n in Ana Bruno Carla; do
      curl -s -o /dev/null -b "$tmp/jar" -c "$tmp/jar" --data "nome=$n" "$base/exemplo02" || true
    done
    cookie=$(awk '$6 == "session" {print "session=" $7}' "$tmp/jar" | tail -1)
    if [ -z "$cookie" ]; then
      echo "note $name: the demo set no session cookie on /login" >"$f"; return 0
    fi
    script=(-s "$tmp/pages.lua")
  else
    if ! base=$(wait_line "$tmp/$name.out" '127\.0\.0\.1:[0-9]+'); then
      echo "note $name did not start: $(head -c 300 "$tmp/$name.err")" >"$f"; return 0
    fi
    base="http://$base"
    cookie=$(grep -m1 '^cookie ' "$tmp/$name.out" | cut -d' ' -f2-)
    script=()
  fi
  {
    echo "note $note"
    echo "command wrk -t2 -c$conns -d$duration --latency ${script[*]:+-s pages.lua} -H 'Cookie: <session>' $base/"
  } >"$f"
  local t0=$SECONDS
  wrk -t2 -c"$conns" -d"$duration" --latency "${script[@]}" -H "Cookie: $cookie" "$base/" >"$tmp/$name.wrk" 2>&1 &
  local wrkpid=$!
  pids+=($wrkpid)
  while kill -0 "$wrkpid" 2>/dev/null; do
    echo "rss $((SECONDS - t0)) $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" >>"$f"
    for _ in 1 2 3 4 5; do kill -0 "$wrkpid" 2>/dev/null && sleep 1; done
  done
  wait "$wrkpid" || true
  echo "rss $((SECONDS - t0)) $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" >>"$f"
  cat "$tmp/$name.wrk" >>"$f"
  kill "$pid" 2>/dev/null || true
  printf '%-14s %s\n' "$name" "$(grep 'Requests/sec' "$f" | tr -s ' ')"
}

if [ $have_demo = 1 ]; then
  SECRET_KEY=$key soak demo-cookie "The demo (\`sessionkit demo\`) with cookie sessions; wrk cycles through /perfil, /exemplo02, /exemplo01, /login and / with a session made by logging in and adding three names." \
    "$tmp/sessionkit" demo -addr 127.0.0.1:0
else
  soak loadserver-cookie "The demo was not available ($(head -c 200 "$tmp/build.err" | tr '\n' ' ')): bench/cmd/loadserver -mode sk-counter (sessionkit cookie sessions, counter rewritten each request) instead." \
    "$tmp/loadserver" -mode sk-counter
fi
if [ $have_store = 1 ]; then
  SECRET_KEY=$key soak demo-redis "The demo with \`-store redis://$redis/0\`; same pages and session." \
    "$tmp/sessionkit" demo -addr 127.0.0.1:0 -store "redis://$redis/0"
else
  soak loadserver-redis "The demo has no -store flag yet: bench/cmd/loadserver -mode sk-redis-counter (sessionkit with its Redis store, counter) instead." \
    "$tmp/loadserver" -mode sk-redis-counter -redis "$redis"
fi
