#!/usr/bin/env bash
# Load test: starts tiny servers on 127.0.0.1 (cmd/loadserver, the demo
# itself, `sessionkit demo`, and the real Flask app under Debian's gunicorn
# when installed), drives each with wrk in turn, round after round, and
# keeps wrk's raw output in OUT (default results/load) for cmd/report. Every
# process it starts is stopped by PID.
#
# Each server seeds LOAD_SESSIONS sessions and wrk rotates through their
# cookies (rotate.lua), so that concurrent requests rarely share a session,
# as with real visitors.
#
#   LOAD_ROUNDS=3 LOAD_DURATION=5s LOAD_CONNECTIONS=64 LOAD_THREADS=2 LOAD_SESSIONS=1000 ./load.sh [OUT]
#
# LOAD_ONLY="demo-readonly bare-demo-readonly" drives only the targets named
# (all servers still start), for a quick look at a few of them.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-results/load}
rounds=${LOAD_ROUNDS:-3}
duration=${LOAD_DURATION:-5s}
conns=${LOAD_CONNECTIONS:-64}
threads=${LOAD_THREADS:-2}
sessions=${LOAD_SESSIONS:-1000}
redis=${BENCH_REDIS_ADDR:-127.0.0.1:6379}
key=bench-key-7f3a9c1e5b2d8f4a6c0e9b1d # bench.Key
flask_app=${FLASK_APP_DIR:-../../shared/flask-oracle}

script=load.sh
. ./lib.sh

rm -rf "$out" && mkdir -p "$out"
go build -o "$tmp/loadserver" ./cmd/loadserver

declare -A url cookie
targets=()

# wait_line FILE PREFIX: the rest of the first line of FILE starting with PREFIX.
wait_line() {
  for _ in $(seq 100); do
    line=$(grep -m1 "^$2" "$1" 2>/dev/null || true)
    [ -n "$line" ] && { echo "${line#"$2"}"; return 0; }
    sleep 0.1
  done
  return 1
}

start_go() { # name mode
  "$tmp/loadserver" -mode "$2" -redis "$redis" -sessions "$sessions" >"$tmp/$1.out" 2>"$tmp/$1.err" &
  pids+=($!)
  if ! addr=$(wait_line "$tmp/$1.out" "addr "); then
    echo "load.sh: $1 did not start: $(cat "$tmp/$1.err")" >&2
    echo "skipped: $(head -c 300 "$tmp/$1.err")" >"$out/$1.skipped"
    return 0
  fi
  url[$1]="http://$addr/"
  for _ in $(seq 100); do
    [ "$(grep -c '^cookie ' "$tmp/$1.out")" -ge "$sessions" ] && break
    sleep 0.1
  done
  grep '^cookie ' "$tmp/$1.out" | cut -d' ' -f2- >"$tmp/$1.cookies"
  cookie[$1]=$(head -1 "$tmp/$1.cookies")
  targets+=("$1")
}

start_go bare-readonly bare-readonly
start_go sk-readonly sk-readonly
start_go bare-counter bare-counter
start_go sk-counter sk-counter
start_go sk-redis-counter sk-redis-counter
# Pathological contention: every connection on one single session, which
# sessionkit's store mode saves with a version check and a bounded merge.
if [ -n "${url[sk-redis-counter]:-}" ]; then
  url[sk-redis-shared]=${url[sk-redis-counter]}
  cookie[sk-redis-shared]=${cookie[sk-redis-counter]}
  echo "${cookie[sk-redis-counter]}" >"$tmp/sk-redis-shared.cookies"
  targets+=(sk-redis-shared)
fi
start_go scs-counter scs-counter
start_go gorilla-counter gorilla-counter

# The demo itself, reading the sk-readonly server's cookies (the medium
# session, signed with the same key): GET /perfil only reads the session;
# GET /login renews it and sets usuario, so that every request writes the
# cookie anew; demo-anonymous is GET /perfil without a session cookie (the
# demo's own work, and the session middleware's without a cookie). Each is
# paired with a bare server replaying, from constants, the bytes the demo
# answers to that request.
start_demo() { # name path [anonymous]
  local pid addr
  SECRET_KEY=$key "$tmp/sessionkit" demo -addr 127.0.0.1:0 -lifetime 24h >"$tmp/$1.out" 2>"$tmp/$1.err" &
  pid=$!
  pids+=($pid)
  for _ in $(seq 100); do
    addr=$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/$1.out" 2>/dev/null || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "load.sh: the demo did not start: $(head -c 300 "$tmp/$1.err")" >&2
    echo "skipped: the demo did not start: $(head -c 300 "$tmp/$1.err")" >"$out/$1.skipped"
    return 0
  fi
  url[$1]="$addr$2"
  if [ -n "${3:-}" ]; then
    echo "" >"$tmp/$1.cookies"
    cookie[$1]=""
  else
    cp "$tmp/sk-readonly.cookies" "$tmp/$1.cookies"
    cookie[$1]=${cookie[sk-readonly]}
  fi
  targets+=("$1")
  # Its bare twin.
  "$tmp/loadserver" -mode replay -from "$addr$2" -cookie "${cookie[$1]}" >"$tmp/bare-$1.out" 2>"$tmp/bare-$1.err" &
  pids+=($!)
  if ! addr=$(wait_line "$tmp/bare-$1.out" "addr "); then
    echo "skipped: $(head -c 300 "$tmp/bare-$1.err")" >"$out/bare-$1.skipped"
    return 0
  fi
  url[bare-$1]="http://$addr/"
  cp "$tmp/$1.cookies" "$tmp/bare-$1.cookies"
  cookie[bare-$1]=${cookie[$1]}
  targets+=("bare-$1")
}
if [ -n "${url[sk-readonly]:-}" ] && (cd "${SESSIONKIT_SRC:-..}" && GOWORK=off go build -o "$tmp/sessionkit" ./cmd/sessionkit) 2>"$tmp/demo-build.err"; then
  start_demo demo-readonly /perfil
  start_demo demo-counter /login
  start_demo demo-anonymous /perfil anonymous
else
  echo "skipped: the demo could not be built: $(head -c 300 "$tmp/demo-build.err" 2>/dev/null)" >"$out/demo-readonly.skipped"
  cp "$out/demo-readonly.skipped" "$out/demo-counter.skipped"
  cp "$out/demo-readonly.skipped" "$out/demo-anonymous.skipped"
fi

# The real Flask app (Exemplo 01 and 02) under Debian's gunicorn.
if [ -x /usr/bin/gunicorn ] && /usr/bin/python3 -c 'import flask' 2>/dev/null && [ -f "$flask_app/app.py" ]; then
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  SECRET_KEY=$key SESSION_LIFETIME_SECONDS=86400 /usr/bin/python3 -m gunicorn --chdir "$flask_app" \
    -w "$(nproc)" -b "127.0.0.1:$port" --access-logfile /dev/null app:app >"$tmp/flask.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/perfil" && break; sleep 0.1; done
  # Cookies minted by Flask itself (oracle.py), the same medium session.
  sign() { /usr/bin/python3 "$flask_app/oracle.py" sign --key "$key" --lifetime 86400 "$@" \
    --json "$(go run ./cmd/mint -print-medium)"; }
  # Flask's sessions live in the cookie: one cookie serves every connection.
  cookie[flask-readonly]="session=$(sign)"
  echo "${cookie[flask-readonly]}" >"$tmp/flask-readonly.cookies"
  url[flask-readonly]="http://127.0.0.1:$port/perfil"
  cookie[flask-refresh]="session=$(sign --permanent)"
  echo "${cookie[flask-refresh]}" >"$tmp/flask-refresh.cookies"
  url[flask-refresh]="http://127.0.0.1:$port/"
  targets+=(flask-readonly flask-refresh)
else
  echo "skipped: Debian's gunicorn or Flask (/usr/bin/python3) is not installed" >"$out/flask.skipped"
fi

if [ -n "${LOAD_ONLY:-}" ]; then
  only=()
  for t in "${targets[@]}"; do
    case " $LOAD_ONLY " in *" $t "*) only+=("$t");; esac
  done
  targets=("${only[@]}")
fi

# Sanity: each target greets with the session it was given.
for t in "${targets[@]}"; do
  body=$(curl -s -H "Cookie: ${cookie[$t]}" "${url[$t]}")
  case "$body" in *Maria*|*"<li>"*|*logado*|*"Nenhum usu"*) ;; *) echo "load.sh: $t answered without the session: ${body:0:200}" >&2; exit 1;; esac
done

# rotate.lua: each request carries the next cookie of the file given after
# --; each of the N threads (second argument) takes its own share of them.
cat >"$tmp/rotate.lua" <<'LUA'
local cookies = {}
local i = 0
local next_id = 0
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
init = function(args)
  local all = {}
  for line in io.lines(args[1]) do all[#all + 1] = line end
  local n = tonumber(args[2])
  for k, c in ipairs(all) do
    if #all < n or (k - 1) % n == id then cookies[#cookies + 1] = c end
  end
end
request = function()
  i = i % #cookies + 1
  return wrk.format(nil, nil, {["Cookie"] = cookies[i]})
end
LUA

for round in $(seq "$rounds"); do
  for t in "${targets[@]}"; do
    f="$out/$t-r$round.txt"
    n=$(wc -l <"$tmp/$t.cookies")
    echo "wrk -t$threads -c$conns -d$duration --latency -s rotate.lua ${url[$t]} -- COOKIES $threads   # COOKIES: $n session cookie(s)" >"$f"
    wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$tmp/rotate.lua" "${url[$t]}" -- "$tmp/$t.cookies" "$threads" >>"$f" 2>&1
    printf '%-18s round %s: %s\n' "$t" "$round" "$(grep 'Requests/sec' "$f" | tr -s ' ')"
  done
done
