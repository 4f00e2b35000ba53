#!/usr/bin/env bash
# The HTTP suite on workerd with a local D1, from a clean machine: install wrangler (pinned, in
# tools/wrangler), apply the migrations to a fresh local D1, seed users with
# `deno task cli users:sql`, serve src/worker.ts with `wrangler dev` on 127.0.0.1, run
# tests/edge/ against it (plus the bundle check), stop the server. deno test's summary line is
# the last thing it prints; it exits with deno test's status.
#
#   bash tests/edge/run_worker_suite.sh              the suite (CI)
#   bash tests/edge/run_worker_suite.sh --measure    CPU per request kind instead (measure_cpu.ts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mode="${1:-suite}"

log() { printf '[edge] %s\n' "$*" >&2; }

work="$(mktemp -d)"
dev_pid=""
# wrangler dev runs in its own process group (setsid), so stopping it stops everything it
# started (node, esbuild, the workerd processes), and only that.
cleanup() {
  if [ -n "$dev_pid" ]; then
    kill -TERM -- "-$dev_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$dev_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$dev_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

free_port() {
  deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'
}

wrangler() { bash "$root/tools/wrangler.sh" "$@"; }

log "installing wrangler and the app's packages"
deno install --quiet </dev/null
wrangler --version </dev/null >&2

persist="$work/state"
if [ "$mode" = "--measure" ]; then
  iterations="${PBKDF2_ITERATIONS:-600000}"
  user_count="${MEASURE_USERS:-20}"
else
  iterations=1000
  user_count=40
fi

log "test keys and settings"
deno run -A src/cli.ts keys:generate >"$work/dev.env" </dev/null
{
  echo "PBKDF2_ITERATIONS=$iterations"
  echo "LOG_LEVEL=error"
  if [ "$mode" = "--measure" ]; then
    # Many failed codes are measured on one pending login per user: let them all count.
    echo "PENDING_MAX_ATTEMPTS=20"
    echo "SECOND_FACTOR_MAX_FAILURES=100"
    # Unknown-user logins are measured too, all from 127.0.0.1.
    echo "IP_MAX_FAILURES=10000"
  fi
} >>"$work/dev.env"

log "D1 migrations (local)"
wrangler d1 migrations apply DB --local --persist-to "$persist" </dev/null >&2

log "seeding $user_count users"
users="$(seq -f 'edge%02g' 1 "$user_count" | paste -sd, -)"
password="$(deno eval 'import { PASSWORD } from "./tests/helpers.ts"; console.log(PASSWORD);')"
user_args=()
IFS=, read -r -a names <<<"$users"
for u in "${names[@]}"; do user_args+=(--username "$u"); done
# Users are hashed at the low test cost and rehashed on first login when the server's differs.
printf '%s\n' "$password" |
  PBKDF2_ITERATIONS=1000 DATABASE_URL=":memory:" deno run -A src/cli.ts users:sql "${user_args[@]}" \
    >"$work/seed.sql"
wrangler d1 execute DB --local --persist-to "$persist" --file "$work/seed.sql" </dev/null >&2

port="$(free_port)"
inspector_port="$(free_port)"
log "wrangler dev on 127.0.0.1:$port"
setsid bash "$root/tools/wrangler.sh" dev --local --ip 127.0.0.1 --port "$port" \
  --inspector-port "$inspector_port" --persist-to "$persist" --env-file "$work/dev.env" \
  --show-interactive-dev-session=false </dev/null >"$work/dev.log" 2>&1 &
dev_pid=$!
base="http://127.0.0.1:$port"
healthy() {
  deno eval "const r = await fetch('$base/healthz').catch(() => null);
    if (r?.status !== 200) Deno.exit(1); console.log(await r.text());" 2>/dev/null
}
for i in $(seq 1 120); do
  if healthy >/dev/null; then break; fi
  if ! kill -0 "$dev_pid" 2>/dev/null || [ "$i" -eq 120 ]; then
    log "wrangler dev did not come up:"
    cat "$work/dev.log" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  sleep 0.5
done
log "serving: $(healthy)"

status=0
if [ "$mode" = "--measure" ]; then
  TWOFOLD_BASE_URL="$base" TWOFOLD_REMOTE_USERS="$users" TWOFOLD_SERVER_PID="$dev_pid" \
    PBKDF2_ITERATIONS="$iterations" \
    deno run -A tests/edge/measure_cpu.ts </dev/null || status=$?
else
  TWOFOLD_BASE_URL="$base" TWOFOLD_REMOTE_USERS="$users" TWOFOLD_D1_PERSIST="$persist" \
    TWOFOLD_EDGE=1 deno test -A tests/edge/ </dev/null || status=$?
fi
if [ "$status" -ne 0 ]; then
  log "server log (last 60 lines):"
  tail -n 60 "$work/dev.log" >&2 || true
fi
exit "$status"
