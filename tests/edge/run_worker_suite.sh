#!/usr/bin/env bash
# The HTTP suite on workerd (wrangler dev on 127.0.0.1), from a clean machine, twice:
#   d1      the Worker on a local D1: migrations with `wrangler d1 migrations apply`, users
#           seeded with `deno task cli users:sql` + `wrangler d1 execute`; plus the bundle check.
#   libsql  the Worker on libSQL over HTTP (DATABASE_URL=http://..., DATABASE_AUTH_TOKEN): a
#           local Hrana server (tests/edge/hrana_server.ts) stands in for Turso; migrations and
#           users through the CLI over HTTP, as docs/deploy-workers.md does it for Turso.
# Each phase: install, migrate, seed, serve, test, stop. The last line is a deno-style summary
# ("ok | N passed | N failed") of both phases; the exit status is non-zero if anything failed.
#
#   bash tests/edge/run_worker_suite.sh              the suite (CI)
#   bash tests/edge/run_worker_suite.sh --measure    CPU per request kind instead (measure_cpu.ts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mode="${1:-suite}"

log() { printf '[edge] %s\n' "$*" >&2; }

work="$(mktemp -d)"
groups=()
# Servers run in their own process groups (setsid), so stopping one stops everything it
# started (wrangler's node, esbuild, the workerd processes), and only that.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
cleanup() {
  for g in "${groups[@]}"; do stop_group "$g"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

free_port() {
  deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'
}

wrangler() { bash "$root/tools/wrangler.sh" "$@"; }

# The counts of a deno test log's summary line, as "passed failed"; nothing if none.
summary_counts() {
  sed -e 's/\x1b\[[0-9;]*m//g' "$1" |
    grep -E '^(ok|FAILED) \| [0-9]+ passed.* \| [0-9]+ failed' |
    tail -n 1 |
    sed -E 's/^[A-Za-z]+ \| ([0-9]+) passed.* \| ([0-9]+) failed.*$/\1 \2/'
}

# Every wrangler.sh call below (and in the tests) installs with the tests' lock too.
export TWOFOLD_DENO_LOCK=tests/deno.lock
log "installing wrangler and the app's packages"
# The test side (tests/deno.lock) too: `deno install` syncs node_modules to the lock it is given.
deno install --quiet --lock=tests/deno.lock </dev/null
wrangler --version </dev/null >&2

if [ "$mode" = "--measure" ]; then
  iterations="${PBKDF2_ITERATIONS:-600000}"
  user_count="${MEASURE_USERS:-20}"
else
  iterations=1000
  user_count=40
fi

log "test keys and settings"
deno run -A src/cli.ts keys:generate >"$work/dev.env" </dev/null
# Mail leaves a Worker as a JSON POST (MAIL_WEBHOOK_URL); the suite listens for it on this port.
mail_port="$(free_port)"
{
  echo "PBKDF2_ITERATIONS=$iterations"
  echo "LOG_LEVEL=error"
  echo "MAIL_WEBHOOK_URL=http://127.0.0.1:$mail_port/mail"
  echo "MAIL_FROM=twofold@example.test"
  if [ "$mode" = "--measure" ]; then
    # Many failed codes are measured on one pending login per user: let them all count.
    echo "PENDING_MAX_ATTEMPTS=20"
    echo "SECOND_FACTOR_MAX_FAILURES=100"
    # Unknown-user logins are measured too, all from 127.0.0.1.
    echo "IP_MAX_FAILURES=10000"
  fi
} >>"$work/dev.env"

users="$(seq -f 'edge%02g' 1 "$user_count" | paste -sd, -)"
password="$(deno eval --lock=tests/deno.lock 'import { PASSWORD } from "./tests/helpers.ts"; console.log(PASSWORD);')"
user_args=()
IFS=, read -r -a names <<<"$users"
for u in "${names[@]}"; do user_args+=(--username "$u"); done
# Users are hashed at the low test cost and rehashed on first login when the server's differs.
printf '%s\n' "$password" |
  PBKDF2_ITERATIONS=1000 DATABASE_URL=":memory:" deno run -A src/cli.ts users:sql "${user_args[@]}" \
    >"$work/seed.sql"
# A few admins (the OpenID Connect checks register their clients through the admin API).
admins="edgeadmin01,edgeadmin02,edgeadmin03"
printf '%s\n' "$password" |
  PBKDF2_ITERATIONS=1000 DATABASE_URL=":memory:" deno run -A src/cli.ts users:sql \
    --username edgeadmin01 --username edgeadmin02 --username edgeadmin03 --role admin \
    >>"$work/seed.sql"

# Starts wrangler dev with the given extra arguments; sets $base and $dev_pid.
serve_worker() {
  local phase="$1"
  shift
  local port inspector_port
  port="$(free_port)"
  inspector_port="$(free_port)"
  log "[$phase] wrangler dev on 127.0.0.1:$port"
  # PUBLIC_URL: the Worker's own address is the OpenID Connect issuer.
  setsid bash "$root/tools/wrangler.sh" dev --local --ip 127.0.0.1 --port "$port" \
    --inspector-port "$inspector_port" --persist-to "$work/$phase-state" \
    --env-file "$work/dev.env" --show-interactive-dev-session=false \
    --var "PUBLIC_URL:http://127.0.0.1:$port" "$@" \
    </dev/null >"$work/$phase-dev.log" 2>&1 &
  dev_pid=$!
  groups+=("$dev_pid")
  base="http://127.0.0.1:$port"
  wait_healthy "$base" "$work/$phase-dev.log"
}

wait_healthy() {
  local i
  for i in $(seq 1 120); do
    if deno eval "const r = await fetch('$1/healthz').catch(() => null);
      if (r?.status !== 200) Deno.exit(1); await r.body?.cancel();" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  log "no answer from $1/healthz; its log:"
  cat "$2" >&2
  return 1
}

total_passed=0
total_failed=0
overall=0

# Runs deno test (or the measurement) against $base with the given env; adds up the counts.
run_phase() {
  local phase="$1"
  shift
  local status=0 counts passed failed
  if [ "$mode" = "--measure" ]; then
    env "$@" TWOFOLD_BASE_URL="$base" TWOFOLD_REMOTE_USERS="$users" TWOFOLD_SERVER_PID="$dev_pid" \
      TWOFOLD_PHASE="$phase" PBKDF2_ITERATIONS="$iterations" \
      deno run -A --lock=tests/deno.lock tests/edge/measure_cpu.ts </dev/null || status=$?
    [ "$status" -eq 0 ] || overall=1
    return 0
  fi
  env "$@" TWOFOLD_BASE_URL="$base" TWOFOLD_REMOTE_USERS="$users" TWOFOLD_REMOTE_ADMINS="$admins" \
    TWOFOLD_MAIL_PORT="$mail_port" \
    deno test -A --lock=tests/deno.lock "${tests[@]}" </dev/null 2>&1 | tee "$work/$phase-test.log" || status=$?
  counts="$(summary_counts "$work/$phase-test.log" || true)"
  if [ -z "$counts" ]; then counts="0 1"; fi
  read -r passed failed <<<"$counts"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$status" -ne 0 ] || [ "$failed" -gt 0 ]; then
    overall=1
    log "[$phase] server log (last 60 lines):"
    tail -n 60 "$work/$phase-dev.log" >&2 || true
  fi
}

# --- D1 ---------------------------------------------------------------------------------
log "[d1] migrations (wrangler d1 migrations apply --local)"
wrangler d1 migrations apply DB --local --persist-to "$work/d1-state" </dev/null >&2
log "[d1] seeding $user_count users (users:sql | wrangler d1 execute)"
wrangler d1 execute DB --local --persist-to "$work/d1-state" --file "$work/seed.sql" </dev/null >&2
if serve_worker d1; then
  tests=(tests/edge/)
  run_phase d1 TWOFOLD_D1_PERSIST="$work/d1-state" TWOFOLD_EDGE=1
  stop_group "$dev_pid"
else
  total_failed=$((total_failed + 1))
  overall=1
fi

# --- libSQL over HTTP (Turso's protocol) ------------------------------------------------------
hrana_port="$(free_port)"
token="test-token-$RANDOM$RANDOM"
log "[libsql] Hrana server on 127.0.0.1:$hrana_port"
setsid deno run -A --lock=tests/deno.lock tests/edge/hrana_server.ts --port "$hrana_port" --db "$work/turso.db" \
  --token "$token" </dev/null >"$work/hrana.log" 2>&1 &
groups+=("$!")
libsql_url="http://127.0.0.1:$hrana_port"
for _ in $(seq 1 100); do
  deno eval "const r = await fetch('$libsql_url/health').catch(() => null);
    if (!r) Deno.exit(1); await r.body?.cancel();" 2>/dev/null && break
  sleep 0.2
done
log "[libsql] migrations (deno task migrate over HTTP) and users"
(
  set -a
  # shellcheck disable=SC1091
  . "$work/dev.env"
  set +a
  DATABASE_URL="$libsql_url" DATABASE_AUTH_TOKEN="$token" KEYS_FILE="$work/keys.json" \
    deno run -A src/cli.ts migrate </dev/null >&2
  DATABASE_URL="$libsql_url" DATABASE_AUTH_TOKEN="$token" deno eval "
    import { createClient } from '@libsql/client/web';
    const c = createClient({ url: Deno.env.get('DATABASE_URL'), authToken: Deno.env.get('DATABASE_AUTH_TOKEN') });
    await c.executeMultiple(Deno.readTextFileSync('$work/seed.sql'));" </dev/null >&2
)
if serve_worker libsql --var "DATABASE_URL:$libsql_url" --var "DATABASE_AUTH_TOKEN:$token"; then
  tests=(tests/edge/http_suite_test.ts tests/edge/batch_changes_test.ts)
  run_phase libsql TWOFOLD_LIBSQL_URL="$libsql_url" TWOFOLD_LIBSQL_TOKEN="$token"
  stop_group "$dev_pid"
else
  total_failed=$((total_failed + 1))
  overall=1
fi

if [ "$mode" != "--measure" ]; then
  if [ "$overall" -eq 0 ]; then word=ok; else word=FAILED; fi
  echo "$word | $total_passed passed | $total_failed failed (workerd: D1 and libSQL over HTTP)"
fi
exit "$overall"
