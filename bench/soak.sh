#!/usr/bin/env bash
# Soak: SOAK_DURATION (60s) at SOAK_CONNECTIONS (100) against the demo
# (`sessionkit demo`), once with cookie sessions and once with the Redis store
# when the demo has -store. wrk cycles through the lesson's pages and through
# SOAK_SESSIONS (200) sessions minted by the demo itself (log in, add names); VmRSS of the server process is
# sampled every 5 s. Falls back to bench/cmd/loadserver when the demo (or its
# -store flag) is missing, and says so in the output. Raw output goes to
# OUT (default results/soak), one file per run, for cmd/report.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-results/soak}
duration=${SOAK_DURATION:-60s}
conns=${SOAK_CONNECTIONS:-100}
visitors=${SOAK_SESSIONS:-200}
redis=${BENCH_REDIS_ADDR:-127.0.0.1:6379}
key=bench-key-7f3a9c1e5b2d8f4a6c0e9b1d # bench.Key

script=soak.sh
. ./lib.sh
rm -rf "$out" && mkdir -p "$out"

have_demo=0 have_store=0 help=""
if (cd "${SESSIONKIT_SRC:-..}" && GOWORK=off go build -o "$tmp/sessionkit" ./cmd/sessionkit) 2>"$tmp/build.err"; then
  help=$("$tmp/sessionkit" demo -h 2>&1 || true)
fi
case "$help" in *-addr*) have_demo=1;; *) echo "no demo -addr flag in: ${help:0:200}" >>"$tmp/build.err";; esac
case "$help" in *-store*) have_store=1;; esac
go build -o "$tmp/loadserver" ./cmd/loadserver

cat >"$tmp/pages.lua" <<'LUA'
-- The lesson's pages in turn, each request with the next session cookie of
-- the file given after --. Each wrk thread takes its own share of the
-- sessions, so that, as with real visitors, two requests of one session are
-- rarely in flight at once.
local paths = {"/perfil", "/exemplo02", "/exemplo01", "/login", "/"}
local cookies = {}
local i, j = 0, 0
local nthreads = 0
setup = function(thread)
  thread:set("id", nthreads)
  nthreads = nthreads + 1
end
init = function(args)
  local n = 0
  for line in io.lines(args[1]) do
    if n % 2 == id then cookies[#cookies + 1] = line end
    n = n + 1
  end
  if #cookies == 0 then cookies[1] = "" end
end
request = function()
  i = i % #paths + 1
  j = j % #cookies + 1
  return wrk.format("GET", paths[i], {["Cookie"] = cookies[j]})
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
  local base
  if [ "$1" = "$tmp/sessionkit" ]; then
    if ! base=$(wait_line "$tmp/$name.out" 'http://127\.0\.0\.1:[0-9]+'); then
      echo "note $name did not start: $(head -c 300 "$tmp/$name.err")" >"$f"; return 0
    fi
    # Sessions as visitors make them: log in, add names in Exemplo 02.
    : >"$tmp/$name.cookies"
    for v in $(seq "$visitors"); do
      rm -f "$tmp/jar"
      curl -s -o /dev/null -c "$tmp/jar" "$base/login"
      for n in Ana Bruno; do
        curl -s -o /dev/null -b "$tmp/jar" -c "$tmp/jar" --data "nome=$n" "$base/exemplo02" || true
      done
      awk '$6 == "session" {print "session=" $7}' "$tmp/jar" | tail -1 >>"$tmp/$name.cookies"
    done
    if ! grep -q . "$tmp/$name.cookies"; then
      echo "note $name: the demo set no session cookie on /login" >"$f"; return 0
    fi
  else
    if ! base=$(wait_line "$tmp/$name.out" '127\.0\.0\.1:[0-9]+'); then
      echo "note $name did not start: $(head -c 300 "$tmp/$name.err")" >"$f"; return 0
    fi
    base="http://$base"
    for _ in $(seq 100); do
      [ "$(grep -c '^cookie ' "$tmp/$name.out")" -ge "$visitors" ] && break
      sleep 0.1
    done
    grep '^cookie ' "$tmp/$name.out" | cut -d' ' -f2- >"$tmp/$name.cookies"
  fi
  {
    echo "note $note"
    echo "command wrk -t2 -c$conns -d$duration --latency -s pages.lua $base/ -- COOKIES   # $(wc -l <"$tmp/$name.cookies") session cookies"
  } >"$f"
  local t0=$SECONDS
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$tmp/pages.lua" "$base/" -- "$tmp/$name.cookies" >"$tmp/$name.wrk" 2>&1 &
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
  SECRET_KEY=$key soak demo-cookie "The demo (\`sessionkit demo\`) with cookie sessions; wrk cycles through /perfil, /exemplo02, /exemplo01, /login and / with $visitors sessions made by logging in and adding two names, each wrk thread cycling through its own half." \
    "$tmp/sessionkit" demo -addr 127.0.0.1:0
else
  soak loadserver-cookie "The demo was not available ($(head -c 200 "$tmp/build.err" | tr '\n' ' ')): bench/cmd/loadserver -mode sk-counter (sessionkit cookie sessions, counter rewritten each request) instead." \
    "$tmp/loadserver" -mode sk-counter -sessions "$visitors"
fi
if [ $have_store = 1 ]; then
  SECRET_KEY=$key soak demo-redis "The demo with \`-store redis://$redis/0\`; same pages and sessions." \
    "$tmp/sessionkit" demo -addr 127.0.0.1:0 -store "redis://$redis/0"
else
  soak loadserver-redis "The demo has no -store flag yet: bench/cmd/loadserver -mode sk-redis-counter (sessionkit with its Redis store, counter) instead." \
    "$tmp/loadserver" -mode sk-redis-counter -redis "$redis" -sessions "$visitors"
fi
