# Shared by load.sh and soak.sh (sourced, not run): the wrk check, a temp
# directory, and a cleanup that stops every process recorded in pids and
# deletes the Redis load server's sessions. Needs $redis and $script set.

command -v wrk >/dev/null || { echo "$script: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The Redis load server's sessions (prefix set in cmd/loadserver/redis.go).
  if command -v redis-cli >/dev/null; then
    redis-cli -h "${redis%:*}" -p "${redis##*:}" --scan --pattern 'sessionkit-load:*' 2>/dev/null |
      xargs -r -n 500 redis-cli -h "${redis%:*}" -p "${redis##*:}" DEL >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
